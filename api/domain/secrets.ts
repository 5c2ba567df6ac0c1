// Which APP_SECRETs the available tokens depend on. Tokens are hashed (and, until delivered, sealed) under
// the secret that was APP_SECRET when they were made; after a rotation the old secret stays in
// APP_SECRET_PREVIOUS until every token made under it is used or expired. Each server records the key id
// of its APP_SECRET (secret_keys) at start, so it can tell the operator (a) which earlier secrets still
// have available tokens and (b) loudly, when it runs without a secret that available tokens need: after a
// restore or a move with the wrong APP_SECRET, every one of those tokens would be refused as invalid.
import { sql } from 'drizzle-orm';
import { rows } from '../../db/client';
import type { Ctx } from './context';
import { keyId, tokenSecrets } from './crypto';
import { tokens } from '../../db/schema';
import { usableToken } from './sql/tokens';

export interface SecretKeyStatus {
  keyId: string;
  /** 'current' (APP_SECRET), 'previous' (APP_SECRET_PREVIOUS) or 'missing' (neither). */
  configured: 'current' | 'previous' | 'missing';
  firstSeenAt: string;
  lastSeenAt: string;
  /** Available, unexpired tokens made while this was the newest secret seen (those that need it). */
  availableTokens: number;
}

/** Record that this server runs with its APP_SECRET (at start). */
export async function recordSecretInUse(ctx: Ctx): Promise<void> {
  await ctx.db.execute(sql`insert into secret_keys (key_id) values (${keyId(ctx.config.secret)})
    on conflict (key_id) do update set last_seen_at = now()`);
}

/**
 * Every secret seen, oldest first, with the tokens that depend on it. A token made at time t is counted
 * against the newest secret first seen before t (during a rolling rotation, both are configured anyway).
 */
export async function secretStatus(ctx: Ctx): Promise<SecretKeyStatus[]> {
  const [current, ...previous] = tokenSecrets(ctx.config).map(keyId);
  const keys = await rows<{ key_id: string; first_seen_at: Date | string; last_seen_at: Date | string; available: number }>(
    ctx.db,
    sql`select k.key_id, k.first_seen_at, k.last_seen_at,
               (select count(*)::int from ${tokens}
                where ${usableToken()}
                  and ${tokens.createdAt} >= k.from_at
                  and ${tokens.createdAt} < coalesce(k.next_seen_at, 'infinity')) as available
        from (select key_id, first_seen_at, last_seen_at,
                     -- the oldest key also owns the tokens made before keys were recorded
                     case when lag(first_seen_at) over w is null then '-infinity'::timestamptz else first_seen_at end as from_at,
                     lead(first_seen_at) over w as next_seen_at
              from secret_keys
              window w as (order by first_seen_at, key_id)) k
        order by k.first_seen_at, k.key_id`,
  );
  return keys.map((k) => ({
    keyId: k.key_id,
    configured: k.key_id === current ? 'current' : previous.includes(k.key_id) ? 'previous' : 'missing',
    firstSeenAt: new Date(k.first_seen_at).toISOString(),
    lastSeenAt: new Date(k.last_seen_at).toISOString(),
    availableTokens: k.available,
  }));
}

/** Secrets that available tokens need but this server does not have: those tokens cannot be validated. */
export async function missingSecrets(ctx: Ctx): Promise<SecretKeyStatus[]> {
  return (await secretStatus(ctx)).filter((k) => k.configured === 'missing' && k.availableTokens > 0);
}
