// The outbox row, written once: enqueue() queues one from TypeScript values, and statements that queue a
// message as part of a larger change (the validation hot path, the stock check) queue the same row with
// fields taken from the rows they just wrote. The ordering key is derived here from the message.
import { sql, type SQL } from 'drizzle-orm';
import type { Ctx } from '../context';
import type { OutboxMessage } from '../outbox';
import { jsonbObject, val, type Val } from './value';

export const OUTBOX_CHANNEL = 'et_outbox';

/** A message to queue: its payload fields are values, or SQL expressions computed by the statement. */
export type OutboxInput = OutboxMessage extends infer M
  ? M extends OutboxMessage
    ? { kind: M['kind']; payload: { [K in keyof M['payload']]: Val<M['payload'][K]> } }
    : never
  : never;

/**
 * Rows with one ordering key go out in id order: a request's post, its redraws and its thread; a grant's
 * notice and its redraw; one person's DMs.
 */
export function orderingKeyOf(m: OutboxInput): SQL {
  const key = (prefix: string, id: Val<string>) => sql`${prefix + ':'}::text || ${val(id, 'text')}`;
  switch (m.kind) {
    case 'request.created':
    case 'request.updated':
    case 'request.thread':
      return key('request', m.payload.requestId);
    case 'grant.opened':
    case 'grant.reviewed':
      return key('grant', m.payload.grantId);
    case 'request.notify':
    case 'tokens.deliver':
    case 'stock.low':
      return key('dm', m.payload.userId);
    case 'lockout':
      return sql`null::text`;
  }
}

/**
 * `insert into outbox ... select <the row> [from <from>]`, or null when the message's destination is not
 * configured (then nothing is queued).
 */
export function outboxInsert(ctx: Ctx, m: OutboxInput, from?: SQL): SQL | null {
  if (ctx.config.slack === undefined) return null;
  // The HTTP request that caused it (X-Request-Id), so its delivery logs can be traced back to it.
  return outboxRow(m, ctx.requestId ?? null, from);
}

/** The insert itself, for a statement rendered once that knows Slack is on (`requestId` then a param). */
export function outboxRow(m: OutboxInput, requestId: Val<string | null>, from?: SQL): SQL {
  return sql`insert into outbox (destination, kind, payload, ordering_key, request_id)
    select 'slack', ${m.kind}::text, ${jsonbObject(m.payload)}, ${orderingKeyOf(m)}, ${val(requestId, 'text')}${from ? sql` from ${from}` : sql``}`;
}

/** Wakes the outbox workers on commit, so delivery does not wait for the next poll. */
export const wakeOutbox = sql`pg_notify(${OUTBOX_CHANNEL}, '')`;
