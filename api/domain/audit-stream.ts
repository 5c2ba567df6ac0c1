// The audit trail read as a stream in id order, for shippers (the syslog stream to the hospital's
// collector): the audit table is the queue, a row in audit_shippers holds the shipper's position (the last
// id delivered) and its lease. Nothing is added to the transaction of a change, and the bedside path
// writes nothing more.
//
// Ids are taken from a sequence when a row is inserted, but transactions commit in any order: event 103
// may be visible while 102's transaction is still open. Shipping 103 and moving the position past 102
// would lose 102 for good. So a batch is the run of consecutive ids after the position; at a missing id
// the reader waits until every transaction that could still hold it has ended (each transaction that
// started before the later ids were seen, and each transaction id assigned by then), then ships on and
// leaves out the ids that never appeared (rolled back, or skipped by the sequence after a crash).
import { sql } from 'drizzle-orm';
import { COPY_APPLICATION_NAME, rows, type Executor } from '../../db/client';
import { auditEvents } from '../../db/schema';
import { People, readAuditRows, type KeyedAuditRow } from './audit-rows';

/** Takes (or keeps) the shipper's lease; its position, or null while another instance holds it. */
export async function claimShipper(ex: Executor, name: string, holder: string, leaseSeconds: number): Promise<bigint | null> {
  await ex.execute(sql`insert into audit_shippers (name) values (${name}) on conflict (name) do nothing`);
  const [row] = await rows<{ last_id: string }>(
    ex,
    sql`update audit_shippers set lease_holder = ${holder}, lease_until = now() + make_interval(secs => ${leaseSeconds})
        where name = ${name} and (lease_holder is null or lease_holder = ${holder} or lease_until < now())
        returning last_id::text`,
  );
  return row ? BigInt(row.last_id) : null;
}

/** Records the position (never backwards) while the lease is ours, and extends it; false: the lease is lost. */
export async function saveShipperPosition(ex: Executor, name: string, holder: string, lastId: bigint, leaseSeconds: number): Promise<boolean> {
  const [row] = await rows<{ name: string }>(
    ex,
    sql`update audit_shippers set last_id = greatest(last_id, ${lastId.toString()}::bigint), updated_at = now(),
               lease_until = now() + make_interval(secs => ${leaseSeconds})
        where name = ${name} and lease_holder = ${holder}
        returning name`,
  );
  return row !== undefined;
}

export async function releaseShipper(ex: Executor, name: string, holder: string): Promise<void> {
  await ex.execute(sql`update audit_shippers set lease_holder = null, lease_until = null where name = ${name} and lease_holder = ${holder}`);
}

/** The newest event id (for the shipper's lag). */
export async function newestAuditId(ex: Executor): Promise<bigint> {
  const [row] = await rows<{ id: string | null }>(ex, sql`select max(${auditEvents.id})::text as id from ${auditEvents}`);
  return BigInt(row?.id ?? 0);
}

/** When a missing id was first seen: the database's clock and next transaction id, taken after the read. */
interface GapMark {
  /** The first missing id. */
  from: bigint;
  /** The highest id seen then: every missing id below it was taken by a transaction that had begun by then. */
  below: bigint;
  at: string;
  xmax: string;
}

export interface GapState {
  from: string;
  since: string;
}

/** Reads the stream in id order, waiting at ids that may still appear (see the top of this file). */
export class AuditStreamReader {
  private gap: GapMark | null = null;
  private readonly people = new People();

  constructor(private readonly ex: Executor) {}

  /** The missing id the reader is waiting at, if any (for the shipper's status). */
  waitingAt(): GapState | null {
    return this.gap ? { from: this.gap.from.toString(), since: this.gap.at } : null;
  }

  /** The next events after `position`, in id order, never past an id that may still appear. */
  async next(position: bigint, limit: number): Promise<KeyedAuditRow[]> {
    const found = await this.read(position, limit);
    const run = consecutive(found, position, null);
    if (run.length === found.length) {
      this.gap = null;
      return run;
    }
    if (run.length > 0) return run; // ship what is certain now; the gap is looked at next time
    const from = position + 1n;
    if (!this.gap || this.gap.from !== from) {
      const [mark] = await rows<{ at: string; xmax: string }>(
        this.ex,
        sql`select clock_timestamp()::text as at, pg_snapshot_xmax(pg_current_snapshot())::text as xmax`,
      );
      this.gap = { from, below: BigInt(found[found.length - 1]!.id), at: mark!.at, xmax: mark!.xmax };
      return [];
    }
    // The COPY connections (the CSV export, db/client.ts) are read-only sessions and can hold no id: a
    // long export is not waited for.
    const [settled] = await rows<{ done: boolean }>(
      this.ex,
      sql`select pg_snapshot_xmin(pg_current_snapshot()) >= ${this.gap.xmax}::xid8
                 and not exists (select 1 from pg_stat_activity
                                 where datname = current_database() and pid <> pg_backend_pid() and xact_start < ${this.gap.at}::timestamptz
                                   and application_name is distinct from ${COPY_APPLICATION_NAME}) as done`,
    );
    if (!settled?.done) return [];
    // Whatever was going to commit below `below` has: read again and step over the ids that never came.
    const below = this.gap.below;
    this.gap = null;
    return consecutive(await this.read(position, limit), position, below);
  }

  private read(position: bigint, limit: number) {
    return readAuditRows(this.ex, sql`${auditEvents.id} > ${position.toString()}::bigint`, 'id', limit, this.people);
  }
}

/** The leading run of `rows` (in id order) with no missing id after `position`, except missing ids below `skipBelow`. */
function consecutive(found: KeyedAuditRow[], position: bigint, skipBelow: bigint | null): KeyedAuditRow[] {
  const out: KeyedAuditRow[] = [];
  let expected = position + 1n;
  for (const row of found) {
    const id = BigInt(row.id);
    if (id !== expected && !(skipBelow !== null && id <= skipBelow)) break;
    out.push(row);
    expected = id + 1n;
  }
  return out;
}
