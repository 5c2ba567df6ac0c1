// Slack section: how fast /slack/events acknowledges a slash command and a button click with 16 in
// flight, against the real server process and a local fake of Slack's Web API. Slack gives an app three
// seconds; the ack must not wait for the work that follows it.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { ACTIONS } from '../bot/blocks/ids';
import { FakeSlack } from '../tests/slack/fake-slack';
import { SlackSim } from '../tests/slack/slack-client';
import { closedLoop } from './lib/load';
import { freePort, startServer } from './lib/server';
import type { BenchUser } from './lib/seed';

const SIGNING_SECRET = `bench-signing-${randomBytes(8).toString('hex')}`;

export async function benchSlack(opts: { dbUrl: string; secret: string; users: BenchUser[]; quick: boolean }) {
  const amount = opts.quick ? 400 : 1200;
  const fake = new FakeSlack();
  await fake.start();
  const pool = new pg.Pool({ connectionString: opts.dbUrl, max: 4 });
  const server = await startServer(
    { DATABASE_URL: opts.dbUrl, APP_SECRET: opts.secret, SLACK_BOT_TOKEN: 'xoxb-bench', SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_ADMIN_CHANNEL: 'C0ADMIN', SLACK_API_URL: fake.apiUrl },
    await freePort(),
  );
  try {
    const sim = new SlackSim(`${server.url}/slack/events`, SIGNING_SECRET, fake);
    // Link Slack ids to existing accounts (staff from the seed, one admin), as an admin would.
    const staff = opts.users.slice(0, 64).map((u, i) => ({ ...u, slack: `UBENCH${i.toString(36).toUpperCase().padStart(4, '0')}` }));
    for (const s of staff) await pool.query('update users set slack_user_id = $1 where id = $2', [s.slack, s.id]);
    const { rows: admins } = await pool.query<{ id: string }>(`insert into users (username, name, role, slack_user_id) values ('bench-slack-admin', 'Bench Admin', 'admin', 'UBENCHADMIN') returning id`);
    void admins;

    // Pending requests to approve, one per click.
    await pool.query(
      `insert into token_requests (user_id, quantity, reason, expires_at)
       select (array[${staff.map((_, i) => `$${i + 1}`).join(',')}]::uuid[])[1 + g % ${staff.length}], 1, 'bench', now() + interval '1 day'
       from generate_series(1, $${staff.length + 1}::int) g`,
      [...staff.map((s) => s.id), amount + 50],
    );
    const { rows: pending } = await pool.query<{ id: string }>(`select id from token_requests where status = 'pending' and reason = 'bench' order by created_at, id`);

    const ok = (status: number) => {
      if (status !== 200) throw new Error(`ack ${status}`);
    };
    // Warm-up: connections, Bolt's first dispatch, JIT.
    for (let i = 0; i < 32; i++) ok((await sim.command({ id: staff[i % staff.length]!.slack }, 'status')).status);

    const command = await closedLoop(16, amount, async (i) => ok((await sim.command({ id: staff[i % staff.length]!.slack }, 'status')).status));
    const button = await closedLoop(16, amount, async (i) =>
      ok((await sim.action({ id: 'UBENCHADMIN', name: 'bench-slack-admin' }, { actionId: ACTIONS.approve, value: pending[50 + i]!.id })).status),
    );
    return { command, button, amount };
  } finally {
    await server.stop();
    await pool.end();
    await fake.stop();
  }
}
