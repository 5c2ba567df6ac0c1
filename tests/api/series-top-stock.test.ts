// Top users (30 days) and stock over time read rollups (series_top_totals, stock_slots) plus the newest
// rows live. Each answer must be the one the rows alone give: every answer is compared with the series'
// definition computed here (SQL over audit_events for top users, a model over the token rows for the
// stock), after a rollup made "days ago" (rollUp…(db, clock)) is moved to now by the request (new slots
// closed, the window's start moved on), after back-dated rows, and around tokens revoked, used, swept and
// expiring near the cutoff. Both on PGlite and (when there is one) Postgres.
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stockPoints } from '../../api/domain/series';
import { CUTOFF_MARGIN_MS, SLOT_SECONDS } from '../../api/domain/series-rollup';
import { rollUpStock } from '../../api/domain/series-stock';
import { rollUpTopUsers, topUsersRolled } from '../../api/domain/series-top-users';
import { sweepExpired } from '../../api/domain/sweep';
import { postgresAvailable } from '../helpers/database';
import { dbRows, generate, quickUser, startHarness, type Harness, type TestUser } from '../helpers/harness';

const backends = [{ name: 'PGlite', postgres: false }, ...(postgresAvailable ? [{ name: 'Postgres', postgres: true }] : [])];
const HOUR = 3600_000;
const DAY = 24 * HOUR;
const SLOT_MS = SLOT_SECONDS * 1000;

describe.each(backends)('top users and stock over time from their rollups ($name)', ({ postgres }) => {
  let h: Harness;
  let admin: TestUser;
  let users: TestUser[] = [];
  beforeAll(async () => {
    h = await startHarness({}, postgres ? { postgres: true } : {});
    admin = await quickUser(h, 'admin', { name: 'Admin Rollups' });
    users = [];
    for (let i = 0; i < 8; i++) users.push(await quickUser(h, 'staff', { name: `Nurse ${i}` }));
  });
  afterAll(() => h?.close());

  const get = (path: string) => h.http('GET', `/api/v1${path}`, { cookie: admin.cookie });

  describe('top users', () => {
    type Item = { userId: string; name: string; username: string; validated: number; failed: number };

    /** The definition: validations per actor in the last `days` days, from the events alone. */
    const direct = (days: number, limit: number) =>
      dbRows<Item>(
        h,
        sql`with top as (
              select actor_id, count(*) filter (where outcome = 'success')::int as v, count(*) filter (where outcome = 'failure')::int as f
              from audit_events where action = 'token.validated' and actor_id is not null and at >= now() - make_interval(days => ${days})
              group by actor_id order by v desc, f desc, actor_id limit ${limit}
            )
            select top.actor_id as "userId", u.name, u.username, top.v as validated, top.f as failed
            from top join users u on u.id = top.actor_id order by top.v desc, top.f desc, top.actor_id`,
      );

    async function expectSame(label: string) {
      for (const [days, limit] of [
        [30, 3],
        [30, 5],
        [30, 50],
        [7, 5],
      ] as const) {
        const res = await get(`/monitoring/top-users?days=${days}&limit=${limit}`);
        expect(res.status).toBe(200);
        expect(res.body.items, `${label}: days=${days} limit=${limit}`).toEqual(await direct(days, limit));
      }
    }

    /** `n` validations by `who` at `ago` before now, a second apart. */
    const validations = (who: TestUser, n: number, outcome: 'success' | 'failure', ago: string) =>
      h.runtime.ctx.db.execute(
        sql`insert into audit_events (at, action, outcome, actor_id)
            select now() - ${ago}::interval - g * interval '1 second', 'token.validated', ${outcome}::audit_outcome, ${who.id}::uuid
            from generate_series(1, ${n}::int) g`,
      );

    const totals = async () =>
      (
        await dbRows<{ kept: number; events: number; ws: Date | null; we: Date | null }>(
          h,
          sql`select (select coalesce(sum(validated + failed), 0)::int from series_top_totals) as kept,
                     (select count(*)::int from audit_events a, series_top_state st
                      where a.action = 'token.validated' and a.actor_id is not null and a.at >= st.window_start and a.at < st.closed_until
                        and a.id <= st.max_id) as events,
                     st.window_start as ws, st.closed_until as we
              from series_top_state st`,
        )
      )[0]!;

    it('moves the kept window days on exactly: slots that left it subtracted, new slots and the tail added', async () => {
      const [leaver, tail, edge, a, b, c, d] = users as [TestUser, TestUser, TestUser, TestUser, TestUser, TestUser, TestUser];
      // Counted by a rollup made two days ago, outside the window now: must not stay on top.
      await validations(leaver, 40, 'success', '30 days 7 hours');
      await validations(leaver, 30, 'success', '31 days 13 hours');
      // Only in the open tail (the last minutes): must be on top.
      await validations(tail, 25, 'success', '30 seconds');
      // Around the window's start: inside by minutes, and outside by minutes (the partial first slot).
      await validations(edge, 6, 'success', '29 days 23 hours 53 minutes');
      await validations(edge, 9, 'success', '30 days 6 minutes');
      // Ties on successes broken by failures, then by id; spread over the month at odd instants.
      for (const [who, v, f, ago] of [
        [a, 8, 1, '3 days 17 minutes 13 seconds'],
        [b, 8, 3, '12 days 4 hours 29 minutes'],
        [c, 8, 3, '1 day 23 hours 59 minutes 58 seconds'],
        [d, 2, 7, '2 days 1 minute'],
      ] as const) {
        await validations(who, v, 'success', ago);
        await validations(who, f, 'failure', ago);
      }
      await rollUpTopUsers(h.runtime.ctx.db, { clock: new Date(Date.now() - 2 * DAY - 7 * 60_000) });
      // Read as it stands (not moved): two days of tail, and two days of window start, recounted.
      for (const limit of [1, 3, 50]) expect(await topUsersRolled(h.runtime.ctx.db, limit), `unmoved, limit ${limit}`).toEqual(await direct(30, limit));
      const old = await totals();
      expect(old.ws).not.toBeNull();
      expect(old.kept).toBe(old.events);
      expect(old.kept).toBeGreaterThan(70); // the leaver's validations are in it
      await expectSame('after moving a two-day-old rollup');
      const now = await totals();
      expect(Date.now() - new Date(now.we!).getTime()).toBeLessThan(HOUR);
      expect(Date.now() - 30 * DAY - new Date(now.ws!).getTime()).toBeLessThan(16 * 60_000);
      expect(now.kept).toBe(now.events);
      expect((await direct(30, 1))[0]!.userId).toBe(tail.id);
    });

    it('counts validations back-dated into slots already rolled up, and new ones through the API, once', async () => {
      const [, , , , , , d, e] = users as [TestUser, TestUser, TestUser, TestUser, TestUser, TestUser, TestUser, TestUser];
      await validations(e, 9, 'failure', '4 days 3 hours');
      await validations(d, 7, 'success', '20 days');
      await expectSame('after back-dated events');
      const [t] = await generate(h, admin, { count: 1, userId: d.id });
      expect((await h.http('POST', '/api/v1/tokens/validate', { cookie: d.cookie, body: { token: t!.token, reason: 'rollup' } })).status).toBe(200);
      await expectSame('after a validation');
      await expectSame('asked again');
      const s = await totals();
      expect(s.kept).toBe(s.events);
    });
  });

  describe('stock over time', () => {
    type Tok = { created_at: Date | string; status: string; used_at: Date | string | null; revoked_at: Date | string | null; expires_at: Date | string };
    const ms = (d: Date | string | null) => (d === null ? null : new Date(d).getTime());
    /** When a token leaves the stock: used, revoked, or expired, whichever first; never before its creation. */
    function leave(t: Tok): number {
      const created = ms(t.created_at)!;
      const expires = ms(t.expires_at)!;
      if (t.status === 'used') return Math.max(created, ms(t.used_at) ?? -Infinity);
      if (t.status === 'revoked') return Math.max(created, Math.min(ms(t.revoked_at) ?? Infinity, expires));
      return Math.max(created, expires);
    }
    const ZONES = ['UTC', 'Asia/Kolkata', 'America/New_York', 'Pacific/Chatham'];

    /** The definition: at each point, the tokens created before it that had not left by then. */
    async function expectSame(label: string, read?: (tz: string) => Promise<Array<{ at: string; available: number }>>) {
      for (const tz of ZONES) {
        const res = read ? undefined : await get(`/monitoring/stock-history?tz=${encodeURIComponent(tz)}`);
        if (res) expect(res.status).toBe(200);
        const points = res ? (res.body.points as Array<{ at: string; available: number }>) : await read!(tz);
        expect(points).toHaveLength(30);
        const all = await dbRows<Tok>(h, sql`select created_at, status, used_at, revoked_at, expires_at from tokens`);
        const model = points.map((p) => {
          const at = Date.parse(p.at);
          return { at: p.at, available: all.filter((t) => ms(t.created_at)! < at && leave(t) >= at).length };
        });
        expect(points, `${label} in ${tz}`).toEqual(model);
      }
    }

    const state = async () =>
      (await dbRows<{ closed_until: Date | null; available: string }>(h, sql`select closed_until, available::text as available from stock_rollup_state`))[0]!;

    /** The rollup's stock at closed_until is the model's. */
    async function expectStateRight() {
      const s = await state();
      expect(s.closed_until).not.toBeNull();
      const at = ms(s.closed_until)!;
      const all = await dbRows<Tok>(h, sql`select created_at, status, used_at, revoked_at, expires_at from tokens`);
      expect(Number(s.available)).toBe(all.filter((t) => ms(t.created_at)! < at && leave(t) >= at).length);
    }

    const insertToken = (life: { created: string; status: string; used?: string | null; revoked?: string | null; expires: string }) =>
      dbRows<{ id: string }>(
        h,
        sql`insert into tokens (hash, length, status, user_id, created_at, used_at, revoked_at, expires_at)
            values (${randomBytes(16).toString('hex')}, 6, ${life.status}::token_status, ${users[0]!.id},
                    now() - ${life.created}::interval, now() - ${life.used ?? null}::interval, now() - ${life.revoked ?? null}::interval,
                    now() - ${life.expires}::interval)
            returning id`,
      );

    let nearCutoff: { overdue: string; later: string };
    const clock = new Date(Date.now() - 3 * DAY - 11 * 60_000);

    it('moves a three-day-old rollup to now exactly, in zones on whole, half and three-quarter hours', async () => {
      // Lives spread over 40 days at odd instants, every way of leaving, and rows made by hand with a
      // leave before the creation or none recorded.
      await h.runtime.ctx.db.execute(
        sql`insert into tokens (hash, length, status, user_id, created_at, used_at, revoked_at, expires_at)
            select md5(g::text || random()::text), 6, (array['available', 'used', 'used', 'revoked', 'expired'])[1 + g % 5]::token_status, ${users[1]!.id}::uuid,
                   now() - ((g * 7919) % (40 * 86400)) * interval '1 second',
                   case when g % 5 in (1, 2) and g % 37 <> 0 then now() - ((g * 7919) % (40 * 86400)) * interval '1 second' * (g % 7) / 7.0 end,
                   case when g % 5 = 3 and g % 4 <> 0 then now() - ((g * 7919) % (40 * 86400)) * interval '1 second' * (g % 3) / 3.0 end,
                   now() - ((g * 7919) % (40 * 86400)) * interval '1 second' + ((g * 104729) % (30 * 86400) - 3 * 86400) * interval '1 second'
            from generate_series(1, 600) g`,
      );
      // Today's point is the table's status (token_counts): keep only rows whose status agrees with their
      // times, as the API writes them (a token expired or revoked with its expiry or revocation to come is
      // counted by its times in the past and by its status today).
      await h.runtime.ctx.db.execute(
        sql`delete from tokens where (status = 'expired' and expires_at > now()) or (status = 'revoked' and least(revoked_at, expires_at) > now())`,
      );
      for (const life of [
        { created: '10 days', status: 'revoked', revoked: '2 days', expires: '5 days' }, // revoked after its expiry
        { created: '10 days', status: 'used', used: '11 days', expires: '-5 days' }, // used "before" created
        { created: '8 days', status: 'available', expires: '9 days' }, // expired before created
      ]) {
        await insertToken(life);
      }
      // Around the cutoff: one overdue by two minutes at it, one expiring two minutes after it.
      const [overdue] = await insertToken({ created: '5 days', status: 'available', expires: '3 days 13 minutes' });
      const [later] = await insertToken({ created: '5 days', status: 'available', expires: '3 days 9 minutes' });
      nearCutoff = { overdue: overdue!.id, later: later!.id };

      await rollUpStock(h.runtime.ctx.db, { clock });
      expect(ms((await state()).closed_until)).toBeLessThanOrEqual(clock.getTime());
      await expectStateRight();
      // Read as it stands (not moved): the last three days' ends come after closed_until.
      await expectSame('from a three-day-old rollup, unmoved', (tz) => stockPoints(h.runtime.ctx.db, tz));
      await expectSame('after moving a three-day-old rollup');
      expect(Date.now() - ms((await state()).closed_until)!).toBeLessThan(HOUR);
      await expectStateRight();
      const [slots] = await dbRows<{ n: number }>(h, sql`select count(*)::int as n from stock_slots`);
      expect(slots!.n).toBeGreaterThan(100);
    });

    it('stays exact as tokens near the cutoff are revoked after their expiry, swept, used and revoked through the API', async () => {
      const revoke = (id: string) => h.http('DELETE', `/api/v1/tokens/${id}`, { cookie: admin.cookie });
      // Overdue but still 'available' in the table: an admin may revoke it; it had left at its expiry.
      expect((await revoke(nearCutoff.overdue)).status).toBe(200);
      await expectSame('after revoking an overdue token');
      await sweepExpired(h.runtime.ctx);
      await expectSame('after the sweep');
      const fresh = await generate(h, admin, { count: 3, userId: users[2]!.id });
      expect((await h.http('POST', '/api/v1/tokens/validate', { cookie: users[2]!.cookie, body: { token: fresh[0]!.token, reason: 'rollup' } })).status).toBe(
        200,
      );
      expect((await revoke(fresh[1]!.id)).status).toBe(200);
      await expectSame('after a use and a revocation now');
      await expectStateRight();
    });

    it('starts again when tokens are inserted back-dated behind the closed slots', async () => {
      await insertToken({ created: '12 days 3 minutes', status: 'used', used: '6 days', expires: '-1 day' });
      await insertToken({ created: '2 days', status: 'available', expires: '-30 days' });
      await expectSame('after back-dated tokens');
      await expectStateRight();
      await expectSame('asked again');
    });

    /** Every slot row (of the last 30 days) holds the moves of its slot before closed_until: none lost, none twice. */
    async function expectSlotsRight() {
      const until = ms((await state()).closed_until)!;
      const from = until - 30 * DAY;
      const all = await dbRows<Tok>(h, sql`select created_at, status, used_at, revoked_at, expires_at from tokens`);
      const model = new Map<number, { created: number; left: number }>();
      const add = (t: number, key: 'created' | 'left') => {
        if (t < from || t >= until) return;
        const slot = Math.floor(t / SLOT_MS) * SLOT_MS;
        const m = model.get(slot) ?? { created: 0, left: 0 };
        m[key]++;
        model.set(slot, m);
      };
      for (const t of all) {
        add(ms(t.created_at)!, 'created');
        add(leave(t), 'left');
      }
      const kept = await dbRows<{ slot: Date | string; created: number; left: number }>(
        h,
        sql`select slot, created, (used + revoked + expired)::int as left from stock_slots
            where slot >= ${new Date(Math.floor(from / SLOT_MS) * SLOT_MS + SLOT_MS).toISOString()}::timestamptz order by slot`,
      );
      const rows = kept.filter((r) => r.created !== 0 || r.left !== 0).map((r) => ({ slot: ms(r.slot)!, created: r.created, left: r.left }));
      const expected = [...model.entries()]
        .filter(([slot]) => slot > from)
        .sort(([a], [b]) => a - b)
        .map(([slot, m]) => ({ slot, ...m }));
      expect(rows).toEqual(expected);
    }

    it('splits the slot that holds the cutoff: its moves before it rolled up, the rest later, once', async () => {
      // A cutoff seven minutes into a slot two days ago (the rollup run as of then, starting afresh since
      // these tokens are back-dated), with creations, uses, a revocation and an expiry on both sides of it.
      const slot = Math.floor((Date.now() - 2 * DAY) / SLOT_MS) * SLOT_MS;
      const cutoff = slot + 7 * 60_000;
      const t = (x: number | null) => (x === null ? null : new Date(x).toISOString());
      const token = (created: number, status: string, used: number | null, revoked: number | null, expires: number) =>
        h.runtime.ctx.db.execute(
          sql`insert into tokens (hash, length, status, user_id, created_at, used_at, revoked_at, expires_at)
              values (${randomBytes(16).toString('hex')}, 6, ${status}::token_status, ${users[3]!.id}, ${t(created)}::timestamptz,
                      ${t(used)}::timestamptz, ${t(revoked)}::timestamptz, ${t(expires)}::timestamptz)`,
        );
      const far = Date.now() + 60 * DAY;
      await token(slot + 60_000, 'available', null, null, far); // created before the cutoff
      await token(slot - 20 * 60_000, 'used', cutoff - 1, null, far); // used just before it
      await token(slot - 20 * 60_000, 'used', cutoff, null, far); // used at it: after
      await token(slot - 20 * 60_000, 'available', null, null, cutoff + 2 * 60_000); // expires after it, unused
      await token(slot + 2 * 60_000, 'revoked', null, cutoff + 60_000, far); // created before, revoked after
      await token(cutoff + 30_000, 'used', cutoff + 3 * 60_000, null, far); // created and used after it
      await token(slot + SLOT_MS - 1, 'available', null, null, far); // the slot's last instant
      await rollUpStock(h.runtime.ctx.db, { clock: new Date(cutoff + CUTOFF_MARGIN_MS) });
      expect(ms((await state()).closed_until)).toBe(cutoff);
      const split = async () =>
        (
          await dbRows<{ created: number; left: number }>(
            h,
            sql`select created, (used + revoked + expired)::int as left from stock_slots where slot = ${t(slot)}::timestamptz`,
          )
        )[0];
      // (Other tests' tokens may move in that slot too: each row is checked against the model of all tokens.)
      const before = await split();
      await expectStateRight();
      await expectSlotsRight();
      await expectSame('with the slot split at the cutoff, unmoved', (tz) => stockPoints(h.runtime.ctx.db, tz));
      // Moved to now by the request: the rest of that slot added to the same row.
      await expectSame('after moving the split rollup');
      const after = await split();
      expect(after!.created - before!.created).toBeGreaterThanOrEqual(2);
      expect(after!.left - before!.left).toBeGreaterThanOrEqual(4);
      await expectStateRight();
      await expectSlotsRight();
    });
  });
});
