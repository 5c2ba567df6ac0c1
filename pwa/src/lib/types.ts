// Shapes of the API's JSON (see shared/spec/api.md). Only the fields the PWA reads.
export type Role = 'staff' | 'admin' | 'super_admin';

export interface User {
  id: string;
  username: string;
  name: string;
  role: Role;
  slackUserId: string | null;
  active?: boolean;
  availableTokens?: number;
}

export interface Review {
  verdict: 'justified' | 'flagged';
  reviewedBy: string;
  reviewedAt: string;
  note: string | null;
}

export interface Grant {
  id: string;
  userId: string;
  tokenId: string;
  reason: string;
  patientRef: string | null;
  createdAt: string;
  expiresAt: string;
  clearedAt: string | null;
  review?: Review | null;
}

export interface Me {
  user: User;
  tokens: { available: number };
  grant: Grant | null;
  lowTokenThreshold?: number;
}

export type TokenStatus = 'available' | 'used' | 'expired' | 'revoked';

export interface Token {
  id: string;
  status: TokenStatus;
  length: number;
  userId: string | null;
  generatedBy: string | null;
  usedBy: string | null;
  usedAt: string | null;
  expiresAt: string | null;
  createdAt: string;
  notes: string | null;
}

export interface PlainToken extends Token {
  token: string;
}

export type RequestStatus = 'pending' | 'approved' | 'rejected' | 'expired';

export interface TokenRequest {
  id: string;
  userId: string;
  quantity: number;
  reason: string | null;
  status: RequestStatus;
  decidedBy: string | null;
  decidedAt: string | null;
  decisionNote: string | null;
  createdAt: string;
  expiresAt: string | null;
}

export interface AuditEvent {
  id: string;
  at: string;
  action: string;
  outcome: 'success' | 'failure';
  actorId: string | null;
  subjectUserId: string | null;
  tokenId: string | null;
  requestId: string | null;
  ip: string | null;
  details: Record<string, unknown> | null;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Monitoring {
  tokens: { available: number; used: number; expired: number; revoked: number; total: number };
  usedLast24h: number;
  pendingRequests: number;
  unreviewedGrants: number;
  lowStockUsers: { userId: string; name: string; available: number }[];
  recentActivity: AuditEvent[];
}

export interface Profile {
  user: User;
  tokens: { available: number; used: number; expired: number; revoked: number };
  requests: TokenRequest[];
  recentActivity: AuditEvent[];
}

export interface LiveEvent {
  type: string;
  requestId?: string;
  userId?: string;
  [k: string]: unknown;
}
