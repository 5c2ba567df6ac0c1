// Shapes of the API's JSON, derived from the zod schemas that validate and document the API
// (api/routes), imported as types only: nothing from api/ reaches the bundle.
import type { z } from '@hono/zod-openapi';
import type { MeSchema } from '../../../api/routes/auth/me';
import type { MonitoringSchema } from '../../../api/routes/monitoring/get';
import type { ProfileSchema } from '../../../api/routes/users/profile';
import type { SettingsSchema } from '../../../api/routes/settings/get';
import type { ActivitySeriesSchema } from '../../../api/routes/monitoring/activity';
import type { TopUsersSchema } from '../../../api/routes/monitoring/top-users';
import type { MyTokensSchema } from '../../../api/routes/tokens/mine';
import type { StockHistorySchema } from '../../../api/routes/monitoring/stock-history';
import type { AuditEventSchema, GrantSchema, RequestSchema, ReviewSchema, TokenSchema, UserSchema } from '../../../api/routes/schemas';
import type { DomainEvent } from '../../../api/domain/events';
import type { AuditAction } from '../../../api/domain/audit';

type Infer<T extends z.ZodTypeAny> = z.infer<T>;

export type Role = Infer<typeof UserSchema>['role'];
/** A user as the lists give it; /me gives fewer fields, hence the optional ones. */
export type User = Pick<Infer<typeof UserSchema>, 'id' | 'username' | 'name' | 'role' | 'slackUserId'> &
  Partial<Pick<Infer<typeof UserSchema>, 'active' | 'createdAt'>> & { availableTokens?: number };
export type Review = NonNullable<Infer<typeof ReviewSchema>>;
export type Grant = Infer<typeof GrantSchema>;
export type Me = Infer<typeof MeSchema>;
export type Token = Infer<typeof TokenSchema>;
export type TokenStatus = Token['status'];
export type PlainToken = Token & { token: string };
/** GET /tokens/mine: my tokens, my stock and how many wait for their one-time reveal. */
export type MyTokens = Infer<typeof MyTokensSchema>;
export type TokenRequest = Infer<typeof RequestSchema>;
export type RequestStatus = TokenRequest['status'];
export type AuditEvent = Infer<typeof AuditEventSchema>;
export type { AuditAction };
export type Monitoring = Infer<typeof MonitoringSchema>;
export type Profile = Infer<typeof ProfileSchema>;
export type WardSettings = Infer<typeof SettingsSchema>;
export type ActivitySeries = Infer<typeof ActivitySeriesSchema>;
export type TopUsers = Infer<typeof TopUsersSchema>;
export type StockHistory = Infer<typeof StockHistorySchema>;

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** What arrives on the SSE stream (api/domain/events.ts), plus 'open' when the stream (re)connects. */
type KeysOfUnion<T> = T extends unknown ? keyof T : never;
type FieldOf<K extends PropertyKey> = DomainEvent extends infer E ? (E extends unknown ? (K extends keyof E ? E[K] : never) : never) : never;
export type LiveEvent = { type: DomainEvent['type'] | 'open' } & { [K in Exclude<KeysOfUnion<DomainEvent>, 'type'>]?: FieldOf<K> };
export type EventType = DomainEvent['type'];
