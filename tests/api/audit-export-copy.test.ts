// The CSV export on Postgres streams one `COPY ... TO STDOUT` on a connection of its own (Database.copyOut);
// PGlite, and Postgres while every COPY connection is taken, read keyset batches. Both must send the same
// bytes for the same rows and filters (quotes, commas, line breaks, formula triggers, unicode, nulls), a
// client that goes away must give the connection back, a failure mid-stream must end the file with the
// marker and no SQL, and exports must never take a connection the bedside path needs.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { exportAuditCsv, type AuditFilter } from '../../api/domain/audit';
import type { Actor } from '../../api/domain/context';
import { COPY_APPLICATION_NAME, COPY_CONNECTIONS } from '../../db/client';
import { postgresAvailable } from '../helpers/database';
import { dbRows, generate, quickUser, startHarness, type Harness, type TestUser } from '../helpers/harness';
import { expectSameBytes, exportBytes } from '../helpers/export';

const ACTIONS = [
  'lockout',
  'token.validated',
  'a,b',
  'say "hi", then leave',
  'line\nbreak',
  'crlf\r\nbreak',
  "=cmd|' /C calc'!A0",
  '+1+1',
  '-2',
  '@SUM(A1)',
  '\tlead tab',
  "it's",
  'ünïcödé 😀 עברית 中文',
  'back\\slash',
  'trailing space ',
  '"',
];
const DETAILS: unknown[] = [
  { n: 1, note: 'a "quoted", comma' },
  "=cmd|' /C calc'!A0",
  'plain string',
  'multi\r\nline\nstring',
  { path: 'C:\\temp\\x', tab: '\t', nl: '\n', emoji: '😀', rtl: 'עברית' },
  null,
  42,
  [1, 'two', null],
  '',
  '-minus',
  { "it's": "'quote'" },
];
// Enough bytes (~13 MB) that an export cannot sit whole in the sockets' buffers while the test holds it.
const SEEDED = 100_000;

describe.runIf(postgresAvailable)('CSV export through COPY on Postgres', () => {
  let h: Harness;
  let admin: TestUser;
  let nurse: TestUser;
  let actor: Actor;
  let copies: () => number;

  beforeAll(async () => {
    // Two request connections (the fewest migrations run with): whatever exports hold, it must not be these.
    h = await startHarness({ DATABASE_POOL_SIZE: '2' }, { postgres: true });
    admin = await quickUser(h, 'admin');
    nurse = await quickUser(h);
    actor = { id: admin.id, role: 'admin' };
    copies = () => h.runtime.ctx.database.poolStats!().copies;
    const [kept, revoked] = await generate(h, admin, { count: 2, userId: nurse.id });
    expect((await h.http('DELETE', `/api/v1/tokens/${revoked!.id}`, { cookie: admin.cookie })).status).toBeLessThan(300);
    // Awkward values in every free-text column, nulls in every nullable one, ties on `at` and microseconds.
    await dbRows(
      h,
      sql`with a as (select array_agg(x order by n) as v from jsonb_array_elements_text(${JSON.stringify(ACTIONS)}::jsonb) with ordinality as t(x, n)),
               d as (select array_agg(x order by n) as v from jsonb_array_elements(${JSON.stringify(DETAILS)}::jsonb) with ordinality as t(x, n))
          insert into audit_events (at, action, outcome, actor_id, subject_user_id, token_id, ip, details)
          select timestamptz '2021-03-01T00:00:00Z' + (i / 3) * interval '1 millisecond' + (i % 2) * interval '7 microseconds',
                 a.v[1 + i % ${ACTIONS.length}],
                 (case when i % 2 = 0 then 'success' else 'failure' end)::audit_outcome,
                 case i % 3 when 0 then ${admin.id}::uuid when 1 then null else ${nurse.id}::uuid end,
                 case when i % 5 = 0 then ${nurse.id}::uuid end,
                 case i % 11 when 0 then ${kept!.id}::uuid when 1 then ${revoked!.id}::uuid end,
                 (case i % 4 when 0 then '10.1.2.3' when 1 then '2001:db8::1' when 2 then null else '::ffff:10.0.0.1' end)::inet,
                 d.v[1 + i % ${DETAILS.length}]
          from generate_series(1, ${SEEDED}) as i, a, d`,
    );
  });
  afterAll(() => h?.close());

  /** Every byte of a domain export; `copy: false` takes the batched path (PGlite's) in batches of 997. */
  const domainExport = (filter: AuditFilter, copy: boolean) => exportBytes(h.runtime.ctx, copy, (ctx) => exportAuditCsv(ctx, actor, filter, 997));

  const UNTIL_2022 = new Date('2022-01-01T00:00:00Z');
  const filters: Array<[string, AuditFilter]> = [
    ['every seeded event', { to: UNTIL_2022 }],
    ['one action', { action: 'lockout', to: UNTIL_2022 }],
    [
      'an outcome and a range cutting through ties',
      { outcome: 'failure', from: new Date('2021-03-01T00:00:01.000Z'), to: new Date('2021-03-01T00:00:03.333Z') },
    ],
    ['a user (actor or subject)', { userId: '' }],
    ['a token status', { tokenStatus: 'revoked' }],
    ['everything at once', { action: 'token.validated', outcome: 'success', from: new Date('2021-01-01'), to: UNTIL_2022, userId: '' }],
    ['nothing matches', { from: new Date('2000-01-01'), to: new Date('2000-01-02') }],
  ];

  it.each(filters)('%s: COPY sends the bytes of the batched path', async (_name, f) => {
    const filter = 'userId' in f ? { ...f, userId: nurse.id } : f;
    const viaCopy = await domainExport(filter, true);
    const viaBatches = await domainExport(filter, false);
    expect(viaCopy.copied).toBe(true);
    expectSameBytes(viaCopy.bytes, viaBatches.bytes);
    const text = viaCopy.bytes.toString();
    expect(text.startsWith('id,at,action,outcome,actorId,subjectUserId,tokenId,requestId,grantId,ip,details\r\n')).toBe(true);
    expect(text.endsWith('\r\n')).toBe(true);
  });

  it('the awkward values arrive quoted and neutralised, and the filters narrow', async () => {
    const all = (await domainExport({ to: UNTIL_2022 }, true)).bytes.toString();
    expect(all.split('\r\n').length).toBeGreaterThan(SEEDED); // line breaks inside cells add more
    expect(all).toContain(`,"'=cmd|' /C calc'!A0",`); // formula: apostrophe, quoted (it holds an apostrophe)
    expect(all).toContain(`,"say ""hi"", then leave",`);
    expect(all).toContain(`,"line\nbreak",`);
    expect(all).toContain(`,ünïcödé 😀 עברית 中文,`);
    expect(all).toContain(`,2001:db8::1,`);
    expect(all).toContain(`,null\r\n`); // a JSON null detail
    expect(all).toContain(`""path"": ""C:\\\\temp\\\\x""`); // JSON's escaped backslashes, as they are
    const lockouts = (await domainExport({ action: 'lockout', to: UNTIL_2022 }, true)).bytes.toString();
    const [expected] = await dbRows<{ n: number }>(h, sql`select count(*)::int as n from audit_events where action = 'lockout' and at < ${UNTIL_2022}`);
    expect(expected!.n).toBeGreaterThan(1000);
    // Records, not line breaks: a detail may hold CRLF inside its quotes.
    expect(lockouts.match(/\r\n\d+,2021-/g)).toHaveLength(expected!.n);
  });

  it('over HTTP: the same bytes as the domain, the export audited with its filter, compression left alone', async () => {
    const query = `action=lockout&outcome=success&to=${UNTIL_2022.toISOString()}`;
    const res = await h.runtime.app.request(`/api/v1/audit/export.csv?${query}`, { headers: { cookie: admin.cookie, 'accept-encoding': 'gzip, br' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-encoding')).toBeNull();
    const body = Buffer.from(await res.arrayBuffer());
    expectSameBytes(body, (await domainExport({ action: 'lockout', outcome: 'success', to: UNTIL_2022 }, false)).bytes);
    const [last] = await dbRows<{ details: unknown }>(h, sql`select details from audit_events where action = 'audit.exported' order by id desc limit 2`);
    // The newest is the domain export's own; the HTTP one is just before it, with the same filter.
    expect(last!.details).toEqual({ format: 'csv', filter: { action: 'lockout', outcome: 'success', to: UNTIL_2022.toISOString() } });
  });

  /** An export over HTTP with its first chunk read, held open. */
  async function openExport() {
    const res = await h.runtime.app.request('/api/v1/audit/export.csv', { headers: { cookie: admin.cookie } });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const first = await reader.read();
    expect(first.done).toBe(false);
    return reader;
  }

  /** Waits (bounded) for a condition the code under test reaches asynchronously after a cancel. */
  async function until(what: string, check: () => boolean | Promise<boolean>) {
    for (let i = 0; i < 500; i++) {
      if (await check()) return;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`timed out waiting for: ${what}`);
  }

  const copyBackends = async () =>
    (
      await dbRows<{ n: number }>(
        h,
        sql`select count(*)::int as n from pg_stat_activity where application_name = ${COPY_APPLICATION_NAME} and backend_type = 'client backend' and state = 'active'`,
      )
    )[0]!.n;

  it('a client that goes away mid-stream gives the COPY connection back, every time', async () => {
    // More rounds than there are COPY connections: a leak would leave the later rounds without one.
    for (let round = 0; round < COPY_CONNECTIONS + 2; round++) {
      const reader = await openExport();
      expect(copies(), `round ${round}: on a COPY connection`).toBe(1);
      await reader.cancel();
      await until(`round ${round}: connection released`, () => copies() === 0);
    }
    await until('no COPY statement left running in Postgres', async () => (await copyBackends()) === 0);
    // And a whole export afterwards is complete.
    const whole = await h.runtime.app.request('/api/v1/audit/export.csv?action=lockout', { headers: { cookie: admin.cookie } });
    expect((await whole.text()).endsWith('\r\n')).toBe(true);
    expect(copies()).toBe(0);
  });

  it('while every COPY connection is held, another export takes the batched path and the bedside path still answers', async () => {
    const held = [];
    for (let i = 0; i < COPY_CONNECTIONS; i++) held.push(await openExport());
    expect(copies()).toBe(COPY_CONNECTIONS);
    // The request connections are free: validation answers, and a third export completes in batches.
    const [t] = await generate(h, admin, { count: 1, userId: nurse.id });
    const validated = await h.http('POST', '/api/v1/tokens/validate', { cookie: nurse.cookie, body: { token: t!.token, reason: 'exports running' } });
    expect(validated.status).toBe(200);
    const filter: AuditFilter = { action: 'lockout', to: UNTIL_2022 };
    const third = await domainExport(filter, true);
    expect(third.copied).toBe(false);
    expectSameBytes(third.bytes, (await domainExport(filter, false)).bytes);
    expect(copies()).toBe(COPY_CONNECTIONS);
    for (const r of held) await r.cancel();
    await until('held connections released', () => copies() === 0);
    await until('their statements ended in Postgres', async () => (await copyBackends()) === 0);
  });

  it('a COPY that fails mid-stream ends the file with the marker, no SQL, and releases its connection', async () => {
    const reader = await openExport();
    expect(await copyBackends(), 'the statement is still running').toBe(1);
    const killer = new pg.Client({ connectionString: h.db.url });
    await killer.connect();
    try {
      await killer.query('select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1 and datname = current_database()', [
        COPY_APPLICATION_NAME,
      ]);
    } finally {
      await killer.end();
    }
    const parts: Uint8Array[] = [];
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      parts.push(value);
    }
    const tail = Buffer.concat(parts).toString().slice(-300);
    expect(tail.endsWith('\r\n# export interrupted: incomplete file\r\n')).toBe(true);
    expect(tail).not.toMatch(/copy|select|terminat|audit_events/i);
    await until('connection released after the failure', () => copies() === 0);
    // The next export has a COPY connection again.
    const next = await domainExport({ action: 'lockout', to: UNTIL_2022 }, true);
    expect(next.copied).toBe(true);
  });
});
