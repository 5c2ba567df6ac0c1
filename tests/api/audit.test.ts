// The audit trail: a streamed CSV export of 100,000 events (header, every row once, formula cells
// neutralised, filters applied), the append-only trigger, and keyset pagination of /audit and /tokens.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRows, dbRows, expectError, generate, quickUser, startHarness, type Harness, type Reply, type TestUser } from '../helpers/harness';

let h: Harness;
let admin: TestUser;
beforeAll(async () => {
  h = await startHarness();
  admin = await quickUser(h, 'admin');
});
afterAll(() => h?.close());

const HEADER = ['id', 'at', 'action', 'outcome', 'actorId', 'subjectUserId', 'tokenId', 'requestId', 'grantId', 'ip', 'details'];
const SEEDED = 100_000;
const YEAR_2020 = 'from=2020-01-01T00:00:00Z&to=2020-12-31T23:59:59Z';

/**
 * RFC 4180 records from a stream of text chunks. Quoted cells may hold commas, doubled quotes, CR and LF;
 * every record ends with CRLF. Only complete records are taken from each chunk; the rest waits for the next.
 */
function csvParser() {
  const CELL = /(?:"((?:[^"]|"")*)"|([^,"\r\n]*))(,|\r\n)/y;
  const records: string[][] = [];
  let buffer = '';
  let row: string[] = [];
  return {
    records,
    push(text: string) {
      buffer += text;
      let pos = 0;
      let consumed = 0;
      for (;;) {
        CELL.lastIndex = pos;
        const m = CELL.exec(buffer);
        if (!m) break;
        row.push(m[1] !== undefined ? m[1].replace(/""/g, '"') : m[2]!);
        pos = CELL.lastIndex;
        if (m[3] === '\r\n') {
          records.push(row);
          row = [];
          consumed = pos;
        }
      }
      buffer = buffer.slice(consumed);
      row = [];
    },
    end() {
      if (buffer !== '') throw new Error(`trailing text that is not a CRLF-terminated CSV record: ${JSON.stringify(buffer.slice(0, 200))}`);
    },
  };
}

/** GET the export and read it as a stream, chunk by chunk. */
async function exportCsv(query = '') {
  const res = await h.runtime.app.request(`/api/v1/audit/export.csv${query ? `?${query}` : ''}`, { headers: { cookie: admin.cookie } });
  expect(res.status).toBe(200);
  const parser = csvParser();
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let chunks = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    chunks++;
    parser.push(decoder.decode(value, { stream: true }));
  }
  parser.push(decoder.decode());
  parser.end();
  return { res, chunks, header: parser.records[0]!, rows: parser.records.slice(1) };
}

const FORMULA_ACTIONS: Record<number, string> = { 1: '=HYPERLINK("http://evil.example","x")', 2: '+1+1', 3: '-2-3', 4: '@SUM(A1:A9)', 5: '\tcmd', 6: '\rcmd' };
const FORMULA_DETAILS: Record<number, string> = { 7: '=1+1', 8: '-cmd|calc', 9: '@evil', 10: '+x', 11: '\tt', 12: '\rr' };

describe('CSV export of 100,000 events', () => {
  beforeAll(async () => {
    const t0 = Date.now();
    // One statement: i-th event at 2020-01-01 + floor(i/3) s (ties of three share a timestamp, so the export's
    // keyset has to break them by id), with formula-looking actions and details sprinkled in.
    await dbRows(
      h,
      sql`insert into audit_events (at, action, outcome, actor_id, details, ip)
          select timestamptz '2020-01-01T00:00:00Z' + (i / 3) * interval '1 second',
                 case i % 1000 when 0 then 'lockout' when 1 then ${FORMULA_ACTIONS[1]} when 2 then ${FORMULA_ACTIONS[2]} when 3 then ${FORMULA_ACTIONS[3]}
                                when 4 then ${FORMULA_ACTIONS[4]} when 5 then ${FORMULA_ACTIONS[5]} when 6 then ${FORMULA_ACTIONS[6]} else 'token.validated' end,
                 (case when i % 2 = 0 then 'success' else 'failure' end)::audit_outcome,
                 ${admin.id}::uuid,
                 case i % 1000 when 7 then to_jsonb(${FORMULA_DETAILS[7]}::text) when 8 then to_jsonb(${FORMULA_DETAILS[8]}::text) when 9 then to_jsonb(${FORMULA_DETAILS[9]}::text)
                                when 10 then to_jsonb(${FORMULA_DETAILS[10]}::text) when 11 then to_jsonb(${FORMULA_DETAILS[11]}::text) when 12 then to_jsonb(${FORMULA_DETAILS[12]}::text)
                                else jsonb_build_object('n', i, 'note', 'seeded, "quoted", row ' || i) end,
                 inet '10.0.0.1'
          from generate_series(1, ${SEEDED}) as i`,
    );
    expect(await countRows(h, 'audit_events', sql`at < '2021-01-01'`)).toBe(SEEDED);
    expect(Date.now() - t0).toBeLessThan(60_000);
  });

  it('streams a header and every event once, newest first, with formula cells neutralised', async () => {
    const { res, chunks, header, rows } = await exportCsv();
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="audit-.*\.csv"$/);
    expect(chunks, 'streamed in many chunks, not one buffered body').toBeGreaterThan(10);
    expect(header).toEqual(HEADER);

    // The export audits itself before reading, so it is part of the unfiltered set.
    const total = await countRows(h, 'audit_events');
    expect(rows).toHaveLength(total);
    expect(rows.filter((r) => r[1]!.startsWith('2020-')).length).toBe(SEEDED);
    expect(rows.filter((r) => r[2] === 'audit.exported')).toHaveLength(1);
    const ids = rows.map((r) => BigInt(r[0]!));
    expect(new Set(ids).size).toBe(rows.length);
    expect(rows.filter((r) => r.length !== HEADER.length)).toEqual([]);
    expect(rows[0]![2]).toBe('audit.exported');
    // Newest first by (at, id): ties broken by id, descending.
    for (let i = 1; i < rows.length; i++) {
      const [a, b] = [rows[i - 1]!, rows[i]!];
      const ta = Date.parse(a[1]!);
      const tb = Date.parse(b[1]!);
      if (ta < tb || (ta === tb && BigInt(a[0]!) < BigInt(b[0]!))) throw new Error(`row ${i} out of order: ${a[0]} ${a[1]} before ${b[0]} ${b[1]}`);
    }

    // No cell starts with a formula trigger; the seeded ones carry a leading apostrophe.
    for (const r of rows) for (const c of r) if (/^[=+\-@\t\r]/.test(c)) throw new Error(`formula cell not neutralised: ${JSON.stringify(c)} in row ${r[0]}`);
    for (const v of Object.values(FORMULA_ACTIONS)) expect(rows.filter((r) => r[2] === `'${v}`)).toHaveLength(100);
    for (const v of Object.values(FORMULA_DETAILS)) expect(rows.filter((r) => r[10] === `'${v}`)).toHaveLength(100);
    // Ordinary JSON details survive the quoting intact.
    const sample = rows.find((r) => r[10]!.startsWith('{') && (JSON.parse(r[10]!) as { n?: number }).n === 500)!;
    expect(JSON.parse(sample[10]!)).toEqual({ n: 500, note: 'seeded, "quoted", row 500' });
    expect(sample[9]).toBe('10.0.0.1');
  });

  it('applies the filters: a date range gives exactly the events in it (the export event falls outside)', async () => {
    const range = 'from=2020-01-01T05:00:00Z&to=2020-01-01T06:00:00Z';
    const { header, rows } = await exportCsv(range);
    expect(header).toEqual(HEADER);
    expect(rows).toHaveLength(3 * 3600 + 3); // three events a second, both ends included
    expect(rows).toHaveLength(await countRows(h, 'audit_events', sql`at between '2020-01-01T05:00:00Z' and '2020-01-01T06:00:00Z'`));
    const [lo, hi] = [Date.parse('2020-01-01T05:00:00Z'), Date.parse('2020-01-01T06:00:00Z')];
    expect(rows.filter((r) => !(Date.parse(r[1]!) >= lo && Date.parse(r[1]!) <= hi))).toEqual([]);
    expect(rows.some((r) => r[2] === 'audit.exported')).toBe(false);
  });

  it('action= returns only that action; outcome= and a narrow range combine', async () => {
    const lockouts = await exportCsv(`action=lockout&${YEAR_2020}`);
    expect(lockouts.rows).toHaveLength(100);
    expect(lockouts.rows.every((r) => r[2] === 'lockout')).toBe(true);

    const exported = await exportCsv('action=audit.exported');
    expect(exported.rows.length).toBe(await countRows(h, 'audit_events', sql`action = 'audit.exported'`));
    expect(exported.rows.every((r) => r[2] === 'audit.exported')).toBe(true);

    const narrow = await exportCsv('action=token.validated&outcome=failure&from=2020-01-01T00:00:00Z&to=2020-01-01T00:00:10Z');
    const expected = await countRows(
      h,
      'audit_events',
      sql`action = 'token.validated' and outcome = 'failure' and at between '2020-01-01T00:00:00Z' and '2020-01-01T00:00:10Z'`,
    );
    expect(expected).toBeGreaterThan(5);
    expect(narrow.rows).toHaveLength(expected);
    expect(narrow.rows.every((r) => r[2] === 'token.validated' && r[3] === 'failure')).toBe(true);
  });

  it('the export is audited with its filter', async () => {
    const before = await countRows(h, 'audit_events', sql`action = 'audit.exported' and actor_id = ${admin.id}`);
    await exportCsv('action=lockout');
    expect(await countRows(h, 'audit_events', sql`action = 'audit.exported' and actor_id = ${admin.id}`)).toBe(before + 1);
    const [last] = await dbRows<{ details: Record<string, unknown> }>(
      h,
      sql`select details from audit_events where action = 'audit.exported' order by id desc limit 1`,
    );
    expect(last!.details).toEqual({ format: 'csv', filter: { action: 'lockout' } });
  });

  it('a bad filter is 400 before anything streams; staff get 403', async () => {
    expectError(await h.http('GET', '/api/v1/audit/export.csv?action=not.an.action', { cookie: admin.cookie }), 400, 'invalid_input');
    expectError(await h.http('GET', '/api/v1/audit/export.csv?from=yesterday', { cookie: admin.cookie }), 400, 'invalid_input');
    const staff = await quickUser(h);
    const refused = await h.http('GET', '/api/v1/audit/export.csv', { cookie: staff.cookie });
    expectError(refused, 403, 'forbidden');
    expect(refused.headers.get('content-type')).toMatch(/json/);
  });
});

describe('append-only audit table', () => {
  it('the database refuses UPDATE, DELETE and TRUNCATE on audit_events', async () => {
    const before = await countRows(h, 'audit_events');
    const [one] = await dbRows<{ id: string; action: string }>(h, sql`select id::text, action from audit_events order by id limit 1`);
    await expect(dbRows(h, sql`update audit_events set action = 'tampered' where id = ${one!.id}::bigint`)).rejects.toThrow();
    await expect(dbRows(h, sql`delete from audit_events where id = ${one!.id}::bigint`)).rejects.toThrow();
    await expect(dbRows(h, sql`delete from audit_events`)).rejects.toThrow();
    await expect(dbRows(h, sql`truncate audit_events`)).rejects.toThrow();
    expect(await countRows(h, 'audit_events')).toBe(before);
    const [again] = await dbRows<{ action: string }>(h, sql`select action from audit_events where id = ${one!.id}::bigint`);
    expect(again!.action).toBe(one!.action);
  });
});

describe('keyset pagination', () => {
  /** Follow nextCursor to the end; return every item and the number of pages. */
  async function walk(path: string, limit: number, cookie: string) {
    const items: Array<Record<string, unknown>> = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const sep = path.includes('?') ? '&' : '?';
      const res: Reply = await h.http('GET', `${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { cookie });
      expect(res.status, res.text).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(limit);
      items.push(...res.body.items);
      cursor = res.body.nextCursor;
      if (++pages > 500) throw new Error('pagination does not end');
    } while (cursor);
    return { items, pages };
  }

  it('GET /audit: nextCursor walks every event once, newest first, through timestamp ties', async () => {
    // 123 events in 2019, four per second, so page boundaries fall inside ties.
    await dbRows(
      h,
      sql`insert into audit_events (at, action, outcome, details)
          select timestamptz '2019-06-01T00:00:00Z' + (i / 4) * interval '1 second', 'user.updated', 'success', jsonb_build_object('i', i)
          from generate_series(1, 123) as i`,
    );
    const { items, pages } = await walk('/api/v1/audit?from=2019-01-01&to=2019-12-31', 10, admin.cookie);
    expect(items).toHaveLength(123);
    expect(pages).toBe(13);
    expect(new Set(items.map((i) => i.id)).size).toBe(123);
    for (let i = 1; i < items.length; i++) {
      const [a, b] = [items[i - 1]!, items[i]!];
      const order = Date.parse(a.at as string) - Date.parse(b.at as string) || Number(BigInt(a.id as string) - BigInt(b.id as string));
      expect(order).toBeGreaterThan(0);
    }
    // An exact multiple of the page size ends with nextCursor null, not an empty extra page.
    const exact = await walk('/api/v1/audit?from=2019-06-01T00:00:01Z&to=2019-06-01T00:00:05Z', 10, admin.cookie);
    expect({ items: exact.items.length, pages: exact.pages }).toEqual({ items: 20, pages: 2 });
  });

  it('GET /audit filters by action and user', async () => {
    const nurse = await quickUser(h);
    const [t] = await generate(h, admin, { count: 1, userId: nurse.id });
    await h.http('POST', '/api/v1/tokens/validate', { cookie: nurse.cookie, body: { token: t!.token, reason: 'audit filter' } });
    const { items } = await walk(`/api/v1/audit?userId=${nurse.id}`, 50, admin.cookie);
    expect(items.length).toBeGreaterThanOrEqual(3); // created, signed in, generated for, validated
    expect(items.every((i) => i.actorId === nurse.id || i.subjectUserId === nurse.id)).toBe(true);
    const validated = await h.http('GET', `/api/v1/audit?userId=${nurse.id}&action=token.validated`, { cookie: admin.cookie });
    expect(validated.body.items).toHaveLength(1);
    expect(validated.body.items[0]).toMatchObject({ action: 'token.validated', outcome: 'success', tokenId: t!.id });
  });

  it('GET /tokens: nextCursor walks every token once, even when a batch shares one created_at', async () => {
    const nurse = await quickUser(h);
    const first = await generate(h, admin, { count: 37, userId: nurse.id });
    const second = await generate(h, admin, { count: 8, userId: nurse.id });
    const { items, pages } = await walk(`/api/v1/tokens?userId=${nurse.id}`, 5, admin.cookie);
    expect(pages).toBe(9);
    expect(items).toHaveLength(45);
    expect(new Set(items.map((i) => i.id))).toEqual(new Set([...first, ...second].map((t) => t.id)));
    expect(items.every((i) => !('token' in i) && !('hash' in i))).toBe(true);
    // The newest batch comes first.
    expect(new Set(items.slice(0, 8).map((i) => i.id))).toEqual(new Set(second.map((t) => t.id)));

    // With a status filter too.
    await h.http('DELETE', `/api/v1/tokens/${first[0]!.id}`, { cookie: admin.cookie });
    const available = await walk(`/api/v1/tokens?userId=${nurse.id}&status=available`, 7, admin.cookie);
    expect(available.items).toHaveLength(44);
    const revoked = await walk(`/api/v1/tokens?userId=${nurse.id}&status=revoked`, 7, admin.cookie);
    expect(revoked.items.map((i) => i.id)).toEqual([first[0]!.id]);
  });

  it('limit outside 1..200 is 400', async () => {
    for (const limit of ['0', '201', 'abc', '-1']) {
      expectError(await h.http('GET', `/api/v1/audit?limit=${limit}`, { cookie: admin.cookie }), 400, 'invalid_input');
      expectError(await h.http('GET', `/api/v1/tokens?limit=${limit}`, { cookie: admin.cookie }), 400, 'invalid_input');
    }
  });
});
