// Slack section: how fast /slack/events acknowledges a slash command and a button click with 16 in
// flight, against the real server process and a local fake of Slack's Web API. Slack gives an app three
// seconds; the ack must not wait for the work that follows it.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { sha256, tokenHash } from '../api/domain/crypto';
import { openDatabase } from '../db/client';
import { ACTIONS } from '../bot/blocks/ids';
import { FakeSlack } from '../tests/slack/fake-slack';
import { SlackSim } from '../tests/slack/slack-client';
import { closedLoop, validateInTurn } from './lib/load';
import { freePort, startServer } from './lib/server';
import { createScratchDatabase, dropScratchDatabase } from '../tests/helpers/database';
import type { BenchUser } from './lib/seed';
import { medianOf, percentile, type RunResult } from './lib/stats';
import { benchPool } from './lib/pool';

const SIGNING_SECRET = `bench-signing-${randomBytes(8).toString('hex')}`;

export async function benchSlack(opts: { dbUrl: string; secret: string; users: BenchUser[]; quick: boolean }) {
  const amount = opts.quick ? 400 : 1200;
  const fake = new FakeSlack();
  await fake.start();
  const pool = benchPool(opts.dbUrl, 4);
  const server = await startServer(
    {
      DATABASE_URL: opts.dbUrl,
      APP_SECRET: opts.secret,
      SLACK_BOT_TOKEN: 'xoxb-bench',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_ADMIN_CHANNEL: 'C0ADMIN',
      SLACK_API_URL: fake.apiUrl,
    },
    await freePort(),
  );
  try {
    const sim = new SlackSim(`${server.url}/slack/events`, SIGNING_SECRET, fake);
    // Link Slack ids to existing accounts (staff from the seed, one admin), as an admin would.
    const staff = opts.users.slice(0, 64).map((u, i) => ({ ...u, slack: `UBENCH${i.toString(36).toUpperCase().padStart(4, '0')}` }));
    for (const s of staff) await pool.query('update users set slack_user_id = $1 where id = $2', [s.slack, s.id]);
    const { rows: admins } = await pool.query<{ id: string }>(
      `insert into users (username, name, role, slack_user_id) values ('bench-slack-admin', 'Bench Admin', 'admin', 'UBENCHADMIN') returning id`,
    );
    void admins;

    // Pending requests to approve, one per click.
    await pool.query(
      `insert into token_requests (user_id, quantity, reason, expires_at)
       select (array[${staff.map((_, i) => `$${i + 1}`).join(',')}]::uuid[])[1 + g % ${staff.length}], 1, 'bench', now() + interval '1 day'
       from generate_series(1, $${staff.length + 1}::int) g`,
      [...staff.map((s) => s.id), amount + 50],
    );
    const { rows: pending } = await pool.query<{ id: string }>(
      `select id from token_requests where status = 'pending' and reason = 'bench' order by created_at, id`,
    );

    const ok = (status: number) => {
      if (status !== 200) throw new Error(`ack ${status}`);
    };
    // Warm-up: connections, Bolt's first dispatch, JIT.
    for (let i = 0; i < 32; i++) ok((await sim.command({ id: staff[i % staff.length]!.slack }, 'status')).status);

    // The same-run baseline the ack targets are ratios to: GET /me (a signed-in user's own read) on the
    // same server at the same concurrency, half before the acks and half after, so drift hits both alike.
    const me = () =>
      closedLoop(16, amount / 2, async (i) => {
        const res = await fetch(`${server.url}/api/v1/me`, { headers: { cookie: staff[i % staff.length]!.cookie } });
        await res.arrayBuffer();
        ok(res.status);
      });
    const meBefore = await me();
    const command = await closedLoop(16, amount, async (i) => ok((await sim.command({ id: staff[i % staff.length]!.slack }, 'status')).status));
    const button = await closedLoop(16, amount, async (i) =>
      ok((await sim.action({ id: 'UBENCHADMIN', name: 'bench-slack-admin' }, { actionId: ACTIONS.approve, value: pending[50 + i]!.id })).status),
    );
    const meAfter = await me();
    return { command, button, me: medianOf([meBefore, meAfter]), amount };
  } finally {
    await server.stop();
    await pool.end();
    await fake.stop();
  }
}

// ---- Slack outage: does a hanging Slack reach the bedside? ----------------------------------------------
// The real server in Socket Mode against the fake Slack, on Postgres and on the embedded PGlite. A few
// nurses validate their own tokens (each validation queues a break-the-glass notice for the outbox) with
// Slack healthy, then again while every Web API call hangs (the outbox's lanes all stuck in calls that
// time out after 10 s); meanwhile slash commands arrive over the socket, and how long each waits for its
// ack is what Slack would see. Validate p50 hung ÷ healthy (target ≤ 1.5×), ack p99 during the hang
// (target < 1 s).

export interface SlackOutageResult {
  database: 'postgres' | 'pglite';
  healthy: RunResult;
  hung: RunResult;
  acks: { count: number; p50: number; p99: number; unacked: number };
  /** Outbox calls held by the hanging Slack when the hung run ended (shows the outbox was stuck). */
  hungCalls: number;
}

const OUTAGE_NURSES = 20;
const OUTAGE_CONCURRENCY = 4;

export async function benchSlackOutage(opts: { baseUrl?: string | undefined; quick: boolean; progress: (msg: string) => void }): Promise<SlackOutageResult[]> {
  const results: SlackOutageResult[] = [];
  if (opts.baseUrl) {
    const url = await createScratchDatabase(opts.baseUrl, 'et_bench_slack');
    try {
      results.push(await outage('postgres', { DATABASE_URL: url }, opts));
    } finally {
      await dropScratchDatabase(opts.baseUrl, url).catch(() => {});
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'et-bench-slack-'));
  try {
    // DATABASE_URL empty: the server process must not inherit the bench's.
    results.push(await outage('pglite', { DATA_DIR: dir, DATABASE_URL: '' }, opts));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

async function outage(
  kind: 'postgres' | 'pglite',
  env: Record<string, string>,
  opts: { quick: boolean; progress: (msg: string) => void },
): Promise<SlackOutageResult> {
  const amount = opts.quick ? 200 : 600;
  const secret = randomBytes(32).toString('hex');
  opts.progress(`slack outage (${kind}): seeding ${OUTAGE_NURSES} nurses linked to Slack and ${2 * amount} tokens`);
  const nurses: Array<{ slack: string; cookie: string; codes: string[] }> = [];
  // Seed through the same client the server uses, then close it: PGlite allows one process at a time.
  const database = await openDatabase({ databaseUrl: env.DATABASE_URL || undefined, dataDir: env.DATA_DIR ?? '' });
  try {
    await database.db.execute(
      sql`insert into users (username, name, role, slack_user_id) select 'slack-nurse-' || g, 'Slack Nurse ' || g, 'staff', 'UNURSE' || g from generate_series(0, ${OUTAGE_NURSES - 1}::int) g`,
    );
    const users = (await database.db.execute(sql`select id, username from users where username like 'slack-nurse-%'`)) as unknown as {
      rows: Array<{ id: string; username: string }>;
    };
    const byName = new Map(users.rows.map((u) => [u.username, u.id]));
    const sessions: Array<{ s: string; u: string }> = [];
    const items: Array<{ h: string; u: string }> = [];
    for (let i = 0; i < OUTAGE_NURSES; i++) {
      const userId = byName.get(`slack-nurse-${i}`)!;
      const nurse = { slack: `UNURSE${i}`, cookie: `et_session=slack-bench-${i}-${randomBytes(6).toString('hex')}`, codes: [] as string[] };
      sessions.push({ s: sha256(nurse.cookie.slice('et_session='.length)), u: userId });
      for (let j = 0; j < Math.ceil((2.2 * amount) / OUTAGE_NURSES); j++) {
        const code = String(100000 + i * 10000 + j);
        nurse.codes.push(code);
        items.push({ h: tokenHash(Buffer.from(secret, 'utf8'), code), u: userId });
      }
      nurses.push(nurse);
    }
    await database.db.execute(
      sql`insert into sessions (id_hash, user_id, expires_at) select t.s, t.u::uuid, now() + interval '1 day' from jsonb_to_recordset(${JSON.stringify(sessions)}::jsonb) as t(s text, u text)`,
    );
    await database.db.execute(
      sql`insert into tokens (hash, length, status, user_id, expires_at) select t.h, 6, 'available', t.u::uuid, now() + interval '1 day' from jsonb_to_recordset(${JSON.stringify(items)}::jsonb) as t(h text, u text)`,
    );
  } finally {
    await database.close();
  }

  const fake = new FakeSlack();
  await fake.start();
  const server = await startServer(
    {
      ...env,
      APP_SECRET: secret,
      ADMIN_PASSWORD: `bench-${randomBytes(6).toString('hex')}`,
      SLACK_BOT_TOKEN: 'xoxb-bench',
      SLACK_APP_TOKEN: 'xapp-bench',
      SLACK_ADMIN_CHANNEL: 'C0ADMIN',
      SLACK_API_URL: fake.apiUrl,
      // Every validation of these nurses is a fall under the line: alerts queue DMs too.
      LOW_TOKEN_THRESHOLD: '1000',
    },
    await freePort(),
  );
  try {
    await fake.waitForSocket(60_000);
    const sim = new SlackSim('', '', fake);
    sim.transport = 'socket';
    const validateOnce = validateInTurn(server.url, nurses);
    await closedLoop(OUTAGE_CONCURRENCY, Math.min(50, amount / 5), validateOnce);
    opts.progress(`slack outage (${kind}): ${amount} validations with Slack healthy`);
    const healthy = await closedLoop(OUTAGE_CONCURRENCY, amount, validateOnce);

    opts.progress(`slack outage (${kind}): ${amount} validations while every Slack call hangs, slash commands arriving over the socket`);
    fake.hang();
    const ackMs: number[] = [];
    let stop = false;
    const commands = (async () => {
      let i = 0;
      while (!stop) {
        const nurse = nurses[i++ % OUTAGE_NURSES]!;
        const sent = await sim.command({ id: nurse.slack }, 'status').catch(() => undefined);
        if (sent?.ackMs !== undefined) ackMs.push(sent.ackMs);
        // Slack sends each envelope as a person types; a small gap keeps this a stream, not a flood.
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const hung = await closedLoop(OUTAGE_CONCURRENCY, amount, validateOnce);
    const hungCalls = fake.hungCount;
    stop = true;
    await commands;
    const unacked = fake.unacked().length;
    fake.unhang();
    return { database: kind, healthy, hung, acks: { count: ackMs.length, p50: percentile(ackMs, 50), p99: percentile(ackMs, 99), unacked }, hungCalls };
  } finally {
    fake.unhang();
    await server.stop();
    await fake.stop();
  }
}
