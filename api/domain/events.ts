// Domain events: published with pg_notify inside the change's transaction, so Postgres delivers them
// on commit and never for a rolled-back change, to every instance's listeners (SSE, the bot).
import { sql } from 'drizzle-orm';
import type { Executor } from '../../db/client';

export const EVENTS_CHANNEL = 'et_events';
/** Announced by triggers (migration 0010) whenever a session may have stopped being valid. */
export const SESSIONS_CHANNEL = 'et_sessions';

export const eventTypes = [
  'token.generated',
  'token.used',
  'token.revoked',
  'grant.opened',
  'grant.reviewed',
  'request.created',
  'request.decided',
  'stock.low',
  'lockout',
] as const;
export type EventType = (typeof eventTypes)[number];

export interface DomainEvent {
  type: EventType;
  /** The user the event concerns: staff receive only their own events over SSE. */
  userId?: string | null;
  tokenId?: string;
  grantId?: string;
  requestId?: string;
  [key: string]: unknown;
}

export async function publish(tx: Executor, event: DomainEvent): Promise<void> {
  await tx.execute(sql`select pg_notify(${EVENTS_CHANNEL}, ${JSON.stringify({ ...event, at: new Date().toISOString() })})`);
}

export function parseEvent(payload: string): (DomainEvent & { at: string }) | null {
  try {
    const e = JSON.parse(payload) as DomainEvent & { at: string };
    return eventTypes.includes(e.type) ? e : null;
  } catch {
    return null;
  }
}
