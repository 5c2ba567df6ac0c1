// Token plaintext is never stored: after generating (assigned and unassigned), validating, revoking,
// revealing, failing and approving, a dump of every table holds none of the codes.
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbRows, generate, quickUser, startHarness, type Harness } from '../helpers/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());

/** Every row of every table in the public schema as JSON text, one string per table. */
async function dumpAll(): Promise<Map<string, string>> {
  const tables = await dbRows<{ table_name: string }>(
    h,
    sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`,
  );
  const out = new Map<string, string>();
  for (const { table_name } of tables) {
    const [row] = await dbRows<{ dump: string | null }>(h, sql`select coalesce(json_agg(t)::text, '[]') as dump from ${sql.identifier(table_name)} t`);
    out.set(table_name, row!.dump ?? '[]');
  }
  return out;
}

/**
 * Where a code shows up in a dump: as a JSON string value ("123456"), or as a word of its own in any text.
 * A run of digits inside a hex hash, a uuid, a base64 ciphertext or the fraction of a timestamp
 * (".123456+00") is not the code, so letters, digits and a leading dot count as part of the word.
 */
function occurrences(dump: string, code: string): string[] {
  const hits: string[] = [];
  const re = new RegExp(`(?<![0-9A-Za-z.])${code}(?![0-9A-Za-z])`, 'g');
  for (const m of dump.matchAll(re)) hits.push(dump.slice(Math.max(0, m.index - 40), m.index + code.length + 40));
  return hits;
}

describe('no token plaintext at rest', () => {
  it('the search finds a code as a JSON string or a word, not inside hashes, uuids or timestamp fractions', () => {
    expect(occurrences('{"token":"482913"}', '482913')).toHaveLength(1);
    expect(occurrences('{"notes":"code 482913 for ward"}', '482913')).toHaveLength(1);
    expect(occurrences('"2026-01-01T10:00:00.482913+00:00"', '482913')).toEqual([]);
    expect(occurrences('"a1482913ffe0", "0b4e8f2a-4829-13aa-bb00-482913000000"', '482913')).toEqual([]);
  });

  it('a dump of every table holds no plaintext of any token, used or not', async () => {
    const admin = await quickUser(h, 'admin');
    const admin2 = await quickUser(h, 'admin');
    const nurses = await Promise.all([quickUser(h), quickUser(h), quickUser(h)]);

    const assigned = await generate(h, admin, { count: 20, userId: nurses[0]!.id });
    const assigned2 = await generate(h, admin, { count: 10, userId: nurses[1]!.id, expiresInDays: 5 });
    const general = await generate(h, admin, { count: 20 });
    const withNotes = await h.http('POST', '/api/v1/tokens/generate', { cookie: admin.cookie, body: { count: 2, notes: 'ward 7 box', length: 6 } });
    expect(withNotes.status).toBe(201);
    const all: Array<{ id: string; token: string }> = [...assigned, ...assigned2, ...general, ...withNotes.body.tokens];

    // Use some (assigned and general), revoke one, reveal one user's batch, and fail a few attempts.
    for (const t of assigned.slice(0, 3))
      expect(
        (await h.http('POST', '/api/v1/tokens/validate', { cookie: nurses[0]!.cookie, body: { token: t.token, reason: 'dump test', patientRef: 'P-1' } }))
          .status,
      ).toBe(200);
    for (const t of general.slice(0, 3))
      expect((await h.http('POST', '/api/v1/tokens/validate', { cookie: nurses[2]!.cookie, body: { token: t.token, reason: 'dump test' } })).status).toBe(200);
    expect((await h.http('DELETE', `/api/v1/tokens/${assigned[5]!.id}`, { cookie: admin.cookie })).status).toBe(200);
    expect((await h.http('POST', '/api/v1/tokens/reveal', { cookie: nurses[1]!.cookie })).body.tokens).toHaveLength(10);
    // Wrong attempts: another user's code, and a code that was used; the typed codes must not be logged either.
    expect(
      (await h.http('POST', '/api/v1/tokens/validate', { cookie: nurses[2]!.cookie, body: { token: assigned[10]!.token, reason: 'wrong owner' } })).status,
    ).toBe(422);
    expect(
      (await h.http('POST', '/api/v1/tokens/validate', { cookie: nurses[0]!.cookie, body: { token: assigned[0]!.token, reason: 'used twice' } })).status,
    ).toBe(422);
    // An approved request issues sealed tokens too.
    const req = await h.http('POST', '/api/v1/token-requests', { cookie: nurses[2]!.cookie, body: { quantity: 3 } });
    expect((await h.http('POST', `/api/v1/token-requests/${req.body.request.id}/approve`, { cookie: admin2.cookie, body: {} })).status).toBe(200);
    const fromRequest = (await h.http('POST', '/api/v1/tokens/reveal', { cookie: nurses[2]!.cookie })).body.tokens as Array<{ id: string; token: string }>;
    expect(fromRequest).toHaveLength(3);
    all.push(...fromRequest);

    const dump = await dumpAll();
    expect(dump.has('tokens') && dump.has('audit_events') && dump.has('grants')).toBe(true);
    expect(all.every((t) => /^\d{6}$/.test(t.token))).toBe(true);
    for (const [table, text] of dump) {
      for (const t of all) {
        expect(text.includes(`"${t.token}"`), `${table} holds "${t.token}" as a JSON string`).toBe(false);
        expect(occurrences(text, t.token), `${table} holds ${t.token}`).toEqual([]);
      }
    }

    // The hash column is a keyed hash, neither the plaintext nor its bare SHA-256.
    const rows = await dbRows<{ id: string; hash: string; sealed: string | null; status: string; user_id: string | null }>(
      h,
      sql`select id, hash, sealed, status::text, user_id from tokens`,
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const t of all) {
      const row = byId.get(t.id)!;
      expect(row.hash).not.toBe(t.token);
      expect(row.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(row.hash).not.toBe(createHash('sha256').update(t.token).digest('hex'));
      expect(row.hash).not.toBe(createHash('sha256').update(`token:${t.token}`).digest('hex'));
    }
    // Sealed copies exist only for assigned, available, not yet delivered tokens, and are not the code.
    for (const r of rows) {
      if (r.sealed !== null) {
        expect(r.user_id).not.toBeNull();
        expect(r.status).toBe('available');
        expect(r.sealed).not.toMatch(/^\d+$/);
      }
    }
    const sealedIds = new Set(rows.filter((r) => r.sealed !== null).map((r) => r.id));
    const expectSealed = assigned.filter((_, i) => ![0, 1, 2, 5].includes(i)).map((t) => t.id); // used or revoked lose theirs
    expect([...sealedIds].sort()).toEqual(expectSealed.sort());
  });
});
