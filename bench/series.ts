// Section "monitoring series": the p95 of the four endpoints behind the monitoring charts (activity per
// day and per hour, top users, stock over time) with a full audit trail behind them. Timed one request
// after another, like an admin opening the screen; the ward's time zone is not UTC, so the buckets are
// computed in local days and hours as the PWA asks for them.
import pg from 'pg';
import { timeSequential } from './lib/load';

export const SERIES = [
  ['activity per day (30 days)', '/api/v1/monitoring/activity?bucket=day&tz=Asia%2FJakarta'],
  ['activity per hour (24 h)', '/api/v1/monitoring/activity?bucket=hour&tz=Asia%2FJakarta'],
  ['top users (30 days)', '/api/v1/monitoring/top-users?days=30&limit=10'],
  ['stock over time (30 days)', '/api/v1/monitoring/stock-history?tz=Asia%2FJakarta'],
] as const;

export interface SeriesTiming {
  name: string;
  path: string;
  p50: number;
  p95: number;
  points: number;
}

/** Each series endpoint `pages` times in a row (after one warm-up call), on a server with the data in place. */
export async function timeSeries(url: string, cookie: string, pages: number): Promise<SeriesTiming[]> {
  const out: SeriesTiming[] = [];
  for (const [name, path] of SERIES) {
    const first = await fetch(`${url}${path}`, { headers: { cookie } });
    if (first.status !== 200) throw new Error(`${path}: ${first.status} ${await first.text()}`);
    const body = (await first.json()) as { points?: unknown[]; items?: unknown[] };
    const points = (body.points ?? body.items ?? []).length;
    const t = await timeSequential(pages, async () => {
      const res = await fetch(`${url}${path}`, { headers: { cookie } });
      if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
      await res.arrayBuffer();
    });
    out.push({ name, path, p50: t.p50, p95: t.p95, points });
  }
  return out;
}

/** Events in the window the series read (the seed spreads them over the last year, one a second). */
export async function eventsInWindow(pool: pg.Pool): Promise<{ total: number; last30Days: number }> {
  const { rows } = await pool.query<{ total: string; recent: string }>(
    `select count(*) as total, count(*) filter (where at >= now() - interval '30 days') as recent from audit_events`,
  );
  return { total: Number(rows[0]!.total), last30Days: Number(rows[0]!.recent) };
}

/**
 * What the full run's validate sections leave behind when this section starts: `n` validations in the
 * last minute and a half, each by a different person (every tenth a wrong code, the rest a token created
 * shortly before and used), inserted as the seed does. `--only series` adds it so the section measures
 * that case on its own: every rollup's live tail full of distinct actors and fresh token moves. (The
 * monitoring section's lib/seed.ts seedValidationBurst spreads its burst over ten minutes, with grants.)
 */
export async function seedSeriesBurst(pool: pg.Pool, n: number): Promise<void> {
  await pool.query(
    `with us as (select id, row_number() over (order by id)::int as i from users where username like 'benchu-%' limit $1),
          timed as (select id, i, now() - (($1::int - i) * 90.0 / $1::int) * interval '1 second' as at from us),
          -- a data-modifying CTE runs whether or not it is read
          used as (
            insert into tokens (hash, length, status, user_id, generated_by, used_by, used_at, expires_at, created_at)
            select md5('burst' || i || random()::text), 6, 'used', id, id, id, at, now() + interval '30 days', at - interval '20 seconds'
            from timed where i % 10 <> 0
          )
     insert into audit_events (at, action, outcome, actor_id, subject_user_id, ip, details)
     select at, 'token.validated', (case when i % 10 = 0 then 'failure' else 'success' end)::audit_outcome, id, id, '10.0.0.1',
            '{"reason": "ward round"}'::jsonb
     from timed`,
    [n],
  );
  await pool.query('analyze audit_events');
  await pool.query('analyze tokens');
}
