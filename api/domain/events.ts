// Domain events, told to every instance's listeners (SSE, the bot) over Postgres NOTIFY, never for a change
// that did not commit. Two ways, one payload: a change made in a transaction of several statements sends
// pg_notify inside it (`publish`, `notifyEvent`; Postgres delivers at commit), and the bedside hot path,
// one autocommit statement, returns its events' payloads (`eventPayload`) and has them sent once it has
// returned (`announceCommitted`): a NOTIFY in the statement itself would make every validation commit
// under Postgres's one cluster-wide notify lock (db/notifier.ts).
//
// Each event's payload is declared once, as a zod schema below. That schema is the TypeScript type
// (DomainEvent), what listeners parse with (parseEvent), and what the one builder of the payload
// (eventPayload) reads to build the JSON in SQL, whether the values come from TypeScript (publish) or
// from the statement itself (the validation hot path, the stock check).
import { sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Database, Executor } from '../../db/client';
import { literal, val } from './sql/value';

export const EVENTS_CHANNEL = 'et_events';
/** Announced by triggers (migration 0010) whenever a session may have stopped being valid. */
export const SESSIONS_CHANNEL = 'et_sessions';

const id = z.string();
const count = z.number().int();
const event = <T extends string, S extends z.ZodRawShape>(type: T, shape: S) => z.object({ type: z.literal(type), ...shape, at: z.string() });

/** Every event; `userId` is the user it concerns (staff receive only their own events over SSE). */
export const DomainEventSchema = z.discriminatedUnion('type', [
  event('token.generated', { userId: id.nullable(), count }),
  event('token.used', { userId: id, tokenId: id }),
  event('token.revoked', { userId: id.nullable(), tokenId: id }),
  event('grant.opened', { userId: id, grantId: id, tokenId: id }),
  event('grant.reviewed', { userId: id, grantId: id, verdict: z.string() }),
  event('request.created', { userId: id, requestId: id }),
  event('request.decided', { userId: id, requestId: id, status: z.string() }),
  event('stock.low', { userId: id, available: count, threshold: count }),
  // Validation lockouts name the user; sign-in lockouts also say which ceiling ('by') and the username.
  event('lockout', {
    userId: id.nullable(),
    lockedUntil: z.string(),
    scope: z.string().optional(),
    by: z.string().optional(),
    username: z.string().optional(),
  }),
]);
export type DomainEvent = z.infer<typeof DomainEventSchema>;
export type EventType = DomainEvent['type'];
export const eventTypes = DomainEventSchema.options.map((o) => o.shape.type.value) as EventType[];

/** An event to publish: its fields are values, or SQL expressions computed by the statement. */
export type EventInput = DomainEvent extends infer E
  ? E extends DomainEvent
    ? { [K in keyof Omit<E, 'at'>]: K extends 'type' ? E[K] : E[K] | SQL }
    : never
  : never;

const shapes = new Map(DomainEventSchema.options.map((o) => [o.shape.type.value as string, o.shape as z.ZodRawShape]));

/** JSON numbers for the schema's numbers, JSON strings (or null) for everything else. */
function sqlType(schema: unknown): string {
  let s = schema as { unwrap?: () => unknown; def?: { type?: string } };
  while (s.def?.type === 'optional' || s.def?.type === 'nullable') s = s.unwrap!() as typeof s;
  return s.def?.type === 'number' ? 'int' : 'text';
}

/** The time of an event, written like JavaScript's toISOString. */
const isoNow = sql`to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** The event as JSON text: the one builder of every event payload. */
export function eventPayload(e: EventInput): SQL {
  const shape = shapes.get(e.type)!;
  const fields = Object.keys(shape)
    .filter((k) => k !== 'type' && k !== 'at' && (e as Record<string, unknown>)[k] !== undefined)
    .map((k) => {
      return sql`${sql.raw(literal(k))}, ${val((e as Record<string, unknown>)[k], sqlType(shape[k]))}`;
    });
  return sql`json_build_object('type', ${sql.raw(literal(e.type))}, ${sql.join(fields, sql`, `)}, 'at', ${isoNow})::text`;
}

/** `pg_notify(events, <payload>)`, inside the change's transaction. */
export const notifyEvent = (e: EventInput): SQL => sql`pg_notify(${EVENTS_CHANNEL}, ${eventPayload(e)})`;

/**
 * Announces the payloads a committed statement returned (`eventPayload` columns; null where the statement
 * had nothing to tell), after its commit and batched with the others (db/notifier.ts).
 */
export function announceCommitted(database: Database, payloads: Array<string | null | undefined>): void {
  for (const p of payloads) if (p) database.notifyCommitted(EVENTS_CHANNEL, p);
}

export async function publish(tx: Executor, e: EventInput): Promise<void> {
  await tx.execute(sql`select ${notifyEvent(e)}`);
}

export function parseEvent(payload: string): DomainEvent | null {
  try {
    const parsed = DomainEventSchema.safeParse(JSON.parse(payload));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
