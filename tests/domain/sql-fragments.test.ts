// The rules SQL and TypeScript share are written once (api/domain/sql, api/domain/events.ts); these
// tests hold the two sides to each other: event payloads built in SQL parse as their declared type and
// equal what TypeScript publishes for the same event, and the effective status of tokens and requests
// is the same whether SQL or TypeScript computes it.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainEventSchema, EVENTS_CHANNEL, publish, type DomainEvent, type EventInput } from '../../api/domain/events';
import { effectiveRequestStatusSql, effectiveRequestStatus, requestStatusIs } from '../../api/domain/sql/requests';
import { effectiveTokenStatus, effectiveTokenStatusSql, tokenStatusIs } from '../../api/domain/sql/tokens';
import { tokenRequests, tokens, tokenStatuses, requestStatuses, type TokenStatus, type RequestStatus } from '../../db/schema';
import { dbRows, generate, quickUser, startHarness, type Harness, type TestUser } from '../helpers/harness';

let h: Harness;
let admin: TestUser;
let nurse: TestUser;
const heard: string[] = [];

beforeAll(async () => {
  h = await startHarness();
  admin = await quickUser(h, 'admin');
  nurse = await quickUser(h);
  await h.runtime.ctx.database.listen(EVENTS_CHANNEL, (p) => heard.push(p));
});
afterAll(() => h?.close());

/** The events heard since `from` (NOTIFY is delivered at commit, asynchronously on Postgres). */
async function heardSince(from: number, want: number): Promise<DomainEvent[]> {
  const deadline = Date.now() + 10_000;
  while (heard.length - from < want && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  return heard.slice(from).map((p) => DomainEventSchema.parse(JSON.parse(p)));
}

const withoutTime = ({ at, ...rest }: DomainEvent) => {
  expect(new Date(at).toISOString()).toBe(at);
  return rest;
};

describe('event payloads', () => {
  it('built in SQL by the validation hot path and the stock check, they parse as their type and equal what publish() sends', async () => {
    const before = heard.length;
    const [mine] = await generate(h, admin, { count: 1, userId: nurse.id });
    expect((await heardSince(before, 1)).map((e) => e.type)).toEqual(['token.generated']);
    const start = heard.length;
    const res = await h.http('POST', '/api/v1/tokens/validate', { cookie: nurse.cookie, body: { token: mine!.token, reason: 'sepsis bay 4' } });
    expect(res.status).toBe(200);
    // token.used and grant.opened from the hot path; stock.low from the stock check (0 < threshold).
    const fromSql = await heardSince(start, 3);
    const types = fromSql.map((e) => e.type).sort();
    expect(types).toEqual(['grant.opened', 'stock.low', 'token.used']);

    const again = heard.length;
    const inputs = fromSql.map((e) => withoutTime(e) as EventInput);
    await h.runtime.ctx.db.transaction(async (tx) => {
      for (const e of inputs) await publish(tx, e);
    });
    const fromTs = await heardSince(again, 3);
    expect(fromTs.map(withoutTime)).toEqual(fromSql.map(withoutTime));
    expect(fromSql.find((e) => e.type === 'token.used')).toMatchObject({ userId: nurse.id, tokenId: mine!.id });
    expect(fromSql.find((e) => e.type === 'stock.low')).toMatchObject({ userId: nurse.id, available: 0, threshold: h.config.lowTokenThreshold });
  });

  it('a payload that does not match its type is refused by the schema', () => {
    expect(DomainEventSchema.safeParse({ type: 'token.used', userId: 'x', at: new Date().toISOString() }).success).toBe(false);
    expect(DomainEventSchema.safeParse({ type: 'stock.low', userId: 'x', available: '3', threshold: 5, at: 'now' }).success).toBe(false);
  });
});

describe('effective status', () => {
  it('of a token: SQL and TypeScript agree for every status, before and after its expiry', async () => {
    const [t] = await generate(h, admin, { count: 1 });
    const cases: Array<{ status: TokenStatus; past: boolean }> = tokenStatuses.flatMap((status) => [
      { status, past: false },
      { status, past: true },
    ]);
    for (const c of cases) {
      await h.runtime.ctx.db.execute(
        sql`update tokens set status = ${c.status}, expires_at = now() + ${c.past ? sql`interval '-1 minute'` : sql`interval '1 day'`} where id = ${t!.id}`,
      );
      const [row] = await dbRows<{ status: TokenStatus; expires_at: string; effective: TokenStatus; is: Record<string, boolean> }>(
        h,
        sql`select status, expires_at, ${effectiveTokenStatusSql()} as effective,
                   json_build_object(${sql.join(
                     tokenStatuses.map((s) => sql`${s}::text, ${tokenStatusIs(s)}`),
                     sql`, `,
                   )}) as is
            from ${tokens} where ${tokens.id} = ${t!.id}`,
      );
      const ts = effectiveTokenStatus({ status: row!.status, expiresAt: new Date(row!.expires_at) });
      expect(row!.effective, JSON.stringify(c)).toBe(ts);
      for (const s of tokenStatuses) expect(row!.is[s], `${JSON.stringify(c)} is ${s}`).toBe(s === ts);
    }
  });

  it('of a request: SQL and TypeScript agree for every status, before and after its expiry', async () => {
    const req = await h.http('POST', '/api/v1/token-requests', { cookie: nurse.cookie, body: { quantity: 1 } });
    const id = req.body.request.id as string;
    for (const status of requestStatuses) {
      for (const past of [false, true]) {
        await h.runtime.ctx.db.execute(
          sql`update token_requests set status = ${status}, expires_at = now() + ${past ? sql`interval '-1 minute'` : sql`interval '1 day'`} where id = ${id}`,
        );
        const [row] = await dbRows<{ status: RequestStatus; expires_at: string; effective: RequestStatus; is: Record<string, boolean> }>(
          h,
          sql`select status, expires_at, ${effectiveRequestStatusSql()} as effective,
                     json_build_object(${sql.join(
                       requestStatuses.map((s) => sql`${s}::text, ${requestStatusIs(s)}`),
                       sql`, `,
                     )}) as is
              from ${tokenRequests} where ${tokenRequests.id} = ${id}`,
        );
        const ts = effectiveRequestStatus({ status: row!.status, expiresAt: new Date(row!.expires_at) });
        expect(row!.effective, `${status} past=${past}`).toBe(ts);
        for (const s of requestStatuses) expect(row!.is[s], `${status} past=${past} is ${s}`).toBe(s === ts);
      }
    }
  });
});
