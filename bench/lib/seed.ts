// Fast seeding with set-based SQL (generate_series, unnest): millions of rows in seconds, never a loop
// of API calls. Sessions and token plaintexts are derived from known strings so the load can use them.
import { randomInt } from 'node:crypto';
import type pg from 'pg';
import { sha256, tokenHash } from '../../api/domain/crypto';
import type { ValidationItem } from './load';

export interface BenchUser {
  id: string;
  cookie: string;
}

/** `n` staff users named bench-1..n, each with a session whose cookie is `et_session=bench-session-<i>`. */
export async function seedUsers(pool: pg.Pool, n: number): Promise<BenchUser[]> {
  await pool.query(
    `insert into users (username, name, role)
     select 'benchu-' || g, 'Bench User ' || g, 'staff' from generate_series(1, $1::int) g`,
    [n],
  );
  await pool.query(
    `insert into sessions (id_hash, user_id, expires_at)
     select encode(sha256(convert_to('bench-session-' || substr(u.username, 8), 'UTF8')), 'hex'), u.id, now() + interval '2 days'
     from users u where u.username like 'benchu-%'`,
  );
  const { rows } = await pool.query<{ id: string; n: string }>(
    `select id, substr(username, 8) as n from users where username like 'benchu-%' order by substr(username, 8)::int`,
  );
  // Check the derivation once, so a mismatch fails loudly instead of benchmarking 401s.
  const probe = await pool.query(`select 1 from sessions where id_hash = $1`, [sha256('bench-session-1')]);
  if (probe.rowCount !== 1) throw new Error('session seeding does not match the cookie derivation');
  return rows.map((r) => ({ id: r.id, cookie: `et_session=bench-session-${r.n}` }));
}

/** Distinct 6-digit codes, none of them currently available in the table. */
export function distinctCodes(n: number, taken: Set<string>): string[] {
  const out: string[] = [];
  while (out.length < n) {
    const code = String(randomInt(1_000_000)).padStart(6, '0');
    if (taken.has(code)) continue;
    taken.add(code);
    out.push(code);
  }
  return out;
}

/** Available tokens with known plaintexts, assigned as given, inserted with one unnest per batch. */
export async function seedKnownTokens(pool: pg.Pool, secret: Buffer, items: Array<{ userId: string | null; code: string }>) {
  const ids: string[] = [];
  for (let i = 0; i < items.length; i += 20_000) {
    const batch = items.slice(i, i + 20_000);
    const { rows } = await pool.query<{ id: string }>(
      `insert into tokens (hash, length, status, user_id, expires_at)
       select h, 6, 'available', u, now() + interval '30 days' from unnest($1::text[], $2::uuid[]) as t(h, u)
       returning id`,
      [batch.map((b) => tokenHash(secret, b.code)), batch.map((b) => b.userId)],
    );
    ids.push(...rows.map((r) => r.id));
  }
  return ids;
}

/** The next `n` users each time it is called, round the list and round again: each call's users distinct while n ≤ the list. */
export function inTurn(users: BenchUser[]): (n: number) => BenchUser[] {
  let next = 0;
  return (n) => Array.from({ length: n }, () => users[next++ % users.length]!);
}

/**
 * One validation per user given: a distinct code each, seeded as an available token assigned to that user;
 * with a `wrongShare` (0.1: every tenth), that share of the codes is left unseeded, a wrong token typed.
 */
export async function seedValidations(pool: pg.Pool, secret: string, taken: Set<string>, users: BenchUser[], wrongShare = 0): Promise<ValidationItem[]> {
  const codes = distinctCodes(users.length, taken);
  const every = wrongShare > 0 ? Math.round(1 / wrongShare) : 0;
  const wrong = (i: number) => every > 0 && i % every === 0;
  await seedKnownTokens(
    pool,
    Buffer.from(secret, 'utf8'),
    users.flatMap((u, i) => (wrong(i) ? [] : [{ userId: u.id, code: codes[i]! }])),
  );
  return users.map((u, i) => ({ cookie: u.cookie, code: codes[i]! }));
}

/**
 * Filler history: tokens that are mostly used, expired or revoked (10% available), spread over users and
 * over the last year, with random hashes that no typed code can match.
 */
export async function seedFillerTokens(pool: pg.Pool, n: number) {
  if (n <= 0) return;
  await pool.query(
    `with us as (select array_agg(id) as ids, count(*)::int as n from users)
     insert into tokens (hash, length, status, user_id, generated_by, used_by, used_at, expires_at, created_at)
     select md5(g::text || random()::text), 6,
            (case when g % 10 < 7 then 'used' when g % 10 < 8 then 'expired' when g % 10 < 9 then 'revoked' else 'available' end)::token_status,
            us.ids[1 + g % us.n], us.ids[1], case when g % 10 < 7 then us.ids[1 + g % us.n] end,
            case when g % 10 < 7 then now() - (g % 525600) * interval '1 minute' end,
            case when g % 10 = 7 then now() - interval '1 day' else now() + interval '60 days' end,
            now() - (g % 525600) * interval '1 minute'
     from generate_series(1, $1::int) g, us`,
    [n],
  );
}

const ACTIONS = [
  'token.validated',
  'token.validated',
  'token.validated',
  'auth.login',
  'auth.login',
  'token.generated',
  'request.created',
  'request.approved',
  'grant.reviewed',
  'record.created',
];

/** `n` audit events over the last year, across users and actions, ~10% failures. */
export async function seedAudit(pool: pg.Pool, n: number) {
  for (let done = 0; done < n; done += 250_000) {
    const size = Math.min(250_000, n - done);
    await pool.query(
      `with us as (select array_agg(id) as ids, count(*)::int as n from users),
            acts as (select $3::text[] as a)
       insert into audit_events (at, action, outcome, actor_id, subject_user_id, ip, details)
       select now() - ((g + $2::int) % 31536000) * interval '1 second',
              acts.a[1 + g % array_length(acts.a, 1)],
              (case when g % 10 = 0 then 'failure' else 'success' end)::audit_outcome,
              us.ids[1 + g % us.n], us.ids[1 + g % us.n], '10.0.0.1',
              jsonb_build_object('seed', g, 'reason', case when g % 1000 = 0 then '=HYPERLINK("x")' else 'ward round' end)
       from generate_series(1, $1::int) g, us, acts`,
      [size, done, ACTIONS],
    );
  }
}

/**
 * What the validate sections leave behind, in SQL: `n` validations over the last `minutes` minutes by the
 * bench users in turn, each a used token, its grant (open, not reviewed) and its `token.validated` event.
 * `--only monitoring` seeds it so the section sees the full run's shape without a minute of HTTP calls.
 */
export async function seedValidationBurst(pool: pg.Pool, n: number, minutes = 10) {
  await pool.query(
    `with us as (select array_agg(id) as ids, count(*)::int as n from users where username like 'benchu-%'),
     used as (
       insert into tokens (hash, length, status, user_id, used_by, used_at, expires_at, created_at)
       select md5('burst' || g::text || random()::text), 6, 'used', us.ids[1 + g % us.n], us.ids[1 + g % us.n],
              now() - (g % ($2::int * 60)) * interval '1 second', now() + interval '30 days', now() - interval '1 hour'
       from generate_series(1, $1::int) g, us
       returning id, user_id, used_at
     ), opened as (
       insert into grants (user_id, token_id, reason, expires_at, created_at)
       select user_id, id, 'bench burst', used_at + interval '30 minutes', used_at from used
       returning id, user_id, token_id, created_at
     )
     insert into audit_events (at, action, outcome, actor_id, subject_user_id, token_id, grant_id, ip, details)
     select created_at, 'token.validated', 'success', user_id, user_id, token_id, id, '10.0.0.1', jsonb_build_object('reason', 'bench burst')
     from opened order by created_at`,
    [n, minutes],
  );
}
