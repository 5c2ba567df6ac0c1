// The outbox: messages that must reach an outside system (Slack) are written in the transaction of the
// change they announce and delivered afterwards by a worker that any number of instances may run.
//
// A delivery never holds a transaction or a pooled connection while it talks to the outside: the worker
// claims a row (a lease with an expiry, one short statement, committed), calls out, then records the
// outcome in another short statement. Each destination (Slack; later others) registers a deliverer that
// says how to send a row and how to read its failures (transient: retry with backoff or Retry-After;
// permanent: a dead letter after a few tries, visible to admins with its reason and a retry; suspend:
// the destination cannot deliver anything now, so nothing is claimed for it). A new kind or destination
// is a new deliverer; the worker does not change.
import { and, asc, desc, eq, sql } from 'drizzle-orm';
import { rows, type Executor, type Tx } from '../../db/client';
import { outbox, type OutboxRow } from '../../db/schema';
import { audit, auditFor } from './audit';
import { requireAdmin, type Actor, type Ctx } from './context';
import { fail } from './errors';
import { OUTBOX_CHANNEL, outboxInsert, wakeOutbox, type OutboxInput } from './sql/outbox';
import type { Page } from './pagination';
import { afterCursor } from './sql/page';

/** What a decision thread under a request's channel message can say. */
export type ThreadEvent = 'approved' | 'rejected' | 'expired' | 'refused' | 'reminder' | 'last_call';

export type OutboxMessage =
  /** Post the request to the admin channel. */
  | { kind: 'request.created'; payload: { requestId: string } }
  /** Redraw the request's channel message (decided, expired). */
  | { kind: 'request.updated'; payload: { requestId: string } }
  /** A line in the request message's thread: the decision trail, refused attempts, reminders. */
  | { kind: 'request.thread'; payload: { requestId: string; event: ThreadEvent; actorId?: string | null; note?: string | null; code?: string | null } }
  /** Tell the requester the outcome (an approval carries the tokens). */
  | { kind: 'request.notify'; payload: { requestId: string; userId: string } }
  /** Hand newly assigned tokens (not from a request) to their holder. */
  | { kind: 'tokens.deliver'; payload: { userId: string } }
  | { kind: 'grant.opened'; payload: { grantId: string } }
  | { kind: 'grant.reviewed'; payload: { grantId: string } }
  /** Too many failed validations (no scope: rows queued before sign-in lockouts were announced too). */
  | { kind: 'lockout'; payload: { scope?: 'validation'; userId: string; lockedUntil: string } }
  /** Sign-in locked: a ceiling reached (an attack on an account or from an address), or an account's pair lock. */
  | { kind: 'lockout'; payload: LoginLockout }
  | { kind: 'stock.low'; payload: { userId: string; available: number } };
export type OutboxKind = OutboxMessage['kind'];
/** What a row of this kind carries (its payload as the outbox stores it). */
export type OutboxPayload<K extends OutboxKind> = Extract<OutboxMessage, { kind: K }>['payload'];

export type LoginLockout = {
  scope: 'login';
  /** What is locked: the username for everyone, the address for every username, or that pair only. */
  by: 'username' | 'address' | 'username and address';
  /** As typed (made storable); the account it names, if there is one. */
  username: string;
  userId: string | null;
  ip: string | null;
  lockedUntil: string;
  failures: number;
};

export { OUTBOX_CHANNEL };

/** Wakes the outbox workers after a statement that queued a message has returned (committed). */
export function wakeOutboxCommitted(ctx: Ctx): void {
  ctx.database.notifyCommitted(OUTBOX_CHANNEL, '');
}

/** Queue a message in the caller's transaction (nothing when its destination is not configured). */
export async function enqueue(ctx: Ctx, tx: Executor, message: OutboxInput): Promise<void> {
  const insert = outboxInsert(ctx, message);
  if (!insert) return;
  await tx.execute(sql`with queued as (${insert} returning id) select ${wakeOutbox} from queued`);
}

// ---- Delivery ---------------------------------------------------------------------------------------

/** How a destination reads a failed delivery. */
export type Failure =
  | { kind: 'transient'; reason: string; retryAfterSeconds?: number | undefined }
  | { kind: 'permanent'; reason: string }
  /** Nothing can be delivered to this destination now (credentials revoked): the row waits, uncounted. */
  | { kind: 'suspend'; reason: string };

/** Thrown at a delivery that has taken so long that its lease ran out and another worker may hold the row. */
export class LeaseLost extends Error {
  constructor(id: number) {
    super(`outbox row ${id}: the lease ran out before the delivery finished`);
  }
}

export type Progress = Record<string, unknown>;

export interface Delivery {
  readonly row: OutboxRow;
  /**
   * Commits `progress` on the row (and `work`, in the same transaction; `progress` may be computed from
   * its result) while this worker still holds it, and extends the lease. A delivery with a step that
   * must not be repeated records it here first.
   */
  checkpoint<T = void>(progress: Progress | ((result: T) => Progress), work?: (tx: Tx) => Promise<T>): Promise<T>;
}

export interface Destination {
  /** Sends one row. Throwing fails it; `classify` says how. Never called inside a transaction. */
  deliver(delivery: Delivery): Promise<void>;
  classify(err: unknown): Failure;
  /** A reason while the destination cannot deliver at all; nothing is claimed for it meanwhile. */
  suspended?(): string | null;
}
export type Destinations = Record<string, Destination>;

/** Permanent failures are tried this many times in all, then become dead letters. */
export const PERMANENT_ATTEMPTS = 3;
const MAX_BACKOFF_SECONDS = 600;
export const LEASE_SECONDS = 120;

/** Exponential backoff with jitter, so instances (and rows) that failed together do not retry together. */
export function backoffSeconds(attempts: number, random = Math.random): number {
  const base = Math.min(MAX_BACKOFF_SECONDS, 2 ** Math.max(1, attempts));
  return base * (0.75 + random() * 0.5);
}

/** Claims the oldest due row of `destination` that no earlier row of its key is waiting for. */
export async function claimNext(ctx: Ctx, destination: string, leaseSeconds = LEASE_SECONDS): Promise<OutboxRow | undefined> {
  const [row] = await ctx.db
    .update(outbox)
    .set({ leaseUntil: sql`now() + make_interval(secs => ${leaseSeconds})`, leaseId: sql`gen_random_uuid()`, attempts: sql`${outbox.attempts} + 1` })
    .where(
      sql`${outbox.id} = (
        select o.id from outbox o
        where o.status = 'pending' and o.destination = ${destination} and o.next_attempt_at <= now()
          and (o.lease_until is null or o.lease_until < now())
          and (o.ordering_key is null or not exists (
            select 1 from outbox e where e.ordering_key = o.ordering_key and e.status = 'pending' and e.id < o.id))
        order by o.id
        limit 1
        for update skip locked)`,
    )
    .returning();
  return row;
}

const heldBy = (row: OutboxRow) => and(eq(outbox.id, row.id), eq(outbox.leaseId, row.leaseId!));
const errorText = (err: unknown) => String(err instanceof Error ? err.message : err).slice(0, 500);

export type DeliveryOutcome =
  { outcome: 'sent' } | { outcome: 'retry'; failure: Failure; delaySeconds: number } | { outcome: 'dead'; failure: Failure } | { outcome: 'lost' };

/** Delivers one claimed row and records the outcome (each step its own short statement). */
export async function deliverClaimed(ctx: Ctx, destination: Destination, claimed: OutboxRow): Promise<DeliveryOutcome> {
  let row = claimed;
  const delivery: Delivery = {
    get row() {
      return row;
    },
    async checkpoint<T>(progress: Progress | ((result: T) => Progress), work?: (tx: Tx) => Promise<T>): Promise<T> {
      return ctx.db.transaction(async (tx) => {
        const result = work ? await work(tx) : (undefined as T);
        const [updated] = await tx
          .update(outbox)
          .set({ progress: typeof progress === 'function' ? progress(result) : progress, leaseUntil: sql`now() + make_interval(secs => ${LEASE_SECONDS})` })
          .where(heldBy(row))
          .returning();
        if (!updated) throw new LeaseLost(row.id);
        row = updated;
        return result;
      });
    },
  };
  try {
    await destination.deliver(delivery);
  } catch (err) {
    if (err instanceof LeaseLost) return { outcome: 'lost' };
    const failure = destination.classify(err);
    const lastError = errorText(err);
    if (failure.kind === 'permanent' && row.attempts >= PERMANENT_ATTEMPTS) {
      const [dead] = await ctx.db
        .update(outbox)
        .set({ status: 'dead', deadAt: sql`now()`, deadReason: failure.reason, lastError, leaseUntil: null, leaseId: null })
        .where(heldBy(row))
        .returning({ id: outbox.id });
      return dead ? { outcome: 'dead', failure } : { outcome: 'lost' };
    }
    // A suspended destination is not the row's fault: the attempt is not counted.
    const delaySeconds =
      failure.kind === 'transient' && failure.retryAfterSeconds !== undefined
        ? failure.retryAfterSeconds * (1 + Math.random() * 0.1)
        : failure.kind === 'suspend'
          ? 60
          : backoffSeconds(row.attempts);
    const [retry] = await ctx.db
      .update(outbox)
      .set({
        lastError,
        leaseUntil: null,
        leaseId: null,
        nextAttemptAt: sql`now() + make_interval(secs => ${delaySeconds})`,
        ...(failure.kind === 'suspend' && { attempts: sql`${outbox.attempts} - 1` }),
      })
      .where(heldBy(row))
      .returning({ id: outbox.id });
    return retry ? { outcome: 'retry', failure, delaySeconds } : { outcome: 'lost' };
  }
  const [sent] = await ctx.db
    .update(outbox)
    .set({ status: 'sent', sentAt: sql`now()`, lastError: null, leaseUntil: null, leaseId: null })
    .where(heldBy(row))
    .returning({ id: outbox.id });
  return sent ? { outcome: 'sent' } : { outcome: 'lost' };
}

export interface DeliverOptions {
  limit?: number;
  onOutcome?: (row: OutboxRow, outcome: DeliveryOutcome) => void;
}

/**
 * One pass, row after row, over every due row of every destination that is not suspended (tests call
 * it to drain the outbox). Returns how many were sent.
 */
export async function deliverDue(ctx: Ctx, destinations: Destinations, opts: DeliverOptions = {}): Promise<number> {
  let sent = 0;
  let left = opts.limit ?? 100;
  for (const [name, destination] of Object.entries(destinations)) {
    while (left-- > 0 && !destination.suspended?.()) {
      const row = await claimNext(ctx, name);
      if (!row) break;
      const outcome = await deliverClaimed(ctx, destination, row);
      opts.onOutcome?.(row, outcome);
      if (outcome.outcome === 'sent') sent++;
      if (outcome.outcome === 'retry' && outcome.failure.kind === 'suspend') break;
    }
  }
  return sent;
}

/** Make every pending row due now (used after Slack comes back, and by tests). */
export async function retryNow(ctx: Ctx): Promise<void> {
  await ctx.db
    .update(outbox)
    .set({ nextAttemptAt: sql`now()` })
    .where(eq(outbox.status, 'pending'));
}

export interface WorkerStatus {
  running: boolean;
  /** Rows being delivered right now. */
  inFlight: number;
  /** Destinations that are not being delivered to, and why (suspended, or honouring a Retry-After). */
  paused: Record<string, { reason: string; until: string | null }>;
  /**
   * The last time the worker did its job: claimed a row or found none due, or recorded an outcome. A
   * healthy worker refreshes it at every tick, idle or busy.
   */
  lastSuccessAt: string | null;
  /** The last row delivered. */
  lastDeliveredAt: string | null;
  /** Why the worker's last step failed (the database, between deliveries), while it has not succeeded since. */
  lastError: string | null;
  lastErrorAt: string | null;
}

export interface OutboxWorker {
  stop(): Promise<void>;
  /** Run a delivery pass now (resolves when it is over). */
  kick(): Promise<void>;
  status(): WorkerStatus;
}

export interface WorkerOptions {
  intervalMs?: number;
  /** Rows delivered at once per destination: one slow call does not hold back the rest. */
  lanes?: number;
  onOutcome?: (row: OutboxRow, outcome: DeliveryOutcome) => void;
  /** The database failed between deliveries; the worker carries on at its next tick. */
  onCrash?: (err: unknown) => void;
}

export async function startOutboxWorker(ctx: Ctx, destinations: Destinations, opts: WorkerOptions = {}): Promise<OutboxWorker> {
  const lanes = opts.lanes ?? 4;
  let stopped = false;
  let inFlight = 0;
  /** Lanes running now, per destination; a lane stuck in a slow call does not stop new ones from starting. */
  const active = new Map<string, number>();
  const running = new Set<Promise<void>>();
  let lastError: { message: string; at: number } | null = null;
  let lastSuccessAt: number | null = null;
  let lastDeliveredAt: number | null = null;
  const succeeded = () => {
    lastSuccessAt = Date.now();
    lastError = null;
  };
  /** A Retry-After pauses the whole destination here, not only the row that got it. */
  const pausedUntil = new Map<string, { until: number; reason: string }>();

  const lane = async (name: string, destination: Destination) => {
    while (!stopped && !destination.suspended?.() && (pausedUntil.get(name)?.until ?? 0) <= Date.now()) {
      const row = await claimNext(ctx, name);
      succeeded();
      if (!row) return;
      inFlight++;
      try {
        const outcome = await deliverClaimed(ctx, destination, row);
        succeeded();
        if (outcome.outcome === 'sent') lastDeliveredAt = Date.now();
        opts.onOutcome?.(row, outcome);
        if (outcome.outcome === 'retry' && outcome.failure.kind === 'transient' && outcome.failure.retryAfterSeconds !== undefined) {
          pausedUntil.set(name, { until: Date.now() + outcome.failure.retryAfterSeconds * 1000, reason: outcome.failure.reason });
        }
      } finally {
        inFlight--;
      }
    }
  };
  /** Starts lanes up to `lanes` per destination; resolves when the lanes running now have finished. */
  const kick = async () => {
    if (stopped) return;
    for (const [name, d] of Object.entries(destinations)) {
      while ((active.get(name) ?? 0) < lanes) {
        active.set(name, (active.get(name) ?? 0) + 1);
        const run: Promise<void> = lane(name, d)
          .catch((err: unknown) => {
            lastError = { message: errorText(err), at: Date.now() };
            opts.onCrash?.(err);
          })
          .finally(() => {
            active.set(name, (active.get(name) ?? 1) - 1);
            running.delete(run);
          });
        running.add(run);
      }
    }
    await Promise.all([...running]);
  };
  const timer = setInterval(() => void kick(), opts.intervalMs ?? 2000);
  timer.unref();
  const unlisten = await ctx.database.listen(OUTBOX_CHANNEL, () => void kick());
  void kick();
  return {
    kick,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await unlisten();
      // Rows already claimed are finished and recorded; nothing new is claimed.
      await Promise.all([...running]);
    },
    status() {
      const paused: WorkerStatus['paused'] = {};
      for (const [name, d] of Object.entries(destinations)) {
        const suspended = d.suspended?.();
        const p = pausedUntil.get(name);
        if (suspended) paused[name] = { reason: suspended, until: null };
        else if (p && p.until > Date.now()) paused[name] = { reason: p.reason, until: new Date(p.until).toISOString() };
      }
      const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
      return {
        running: !stopped,
        inFlight,
        paused,
        lastSuccessAt: iso(lastSuccessAt),
        lastDeliveredAt: iso(lastDeliveredAt),
        lastError: lastError?.message ?? null,
        lastErrorAt: iso(lastError?.at ?? null),
      };
    },
  };
}

// ---- Dead letters and the state of delivery, for admins ---------------------------------------------

export function presentOutboxRow(r: OutboxRow) {
  const p = r.payload;
  const id = (k: string) => (typeof p[k] === 'string' ? (p[k] as string) : null);
  return {
    id: r.id,
    destination: r.destination,
    kind: r.kind,
    status: r.status,
    subject: { requestId: id('requestId'), grantId: id('grantId'), userId: id('userId') },
    reason: r.deadReason,
    lastError: r.lastError,
    attempts: r.attempts,
    createdAt: r.createdAt.toISOString(),
    deadAt: r.deadAt?.toISOString() ?? null,
  };
}
export type DeadLetterView = ReturnType<typeof presentOutboxRow>;

/** Messages that could not be delivered, newest first. */
export async function listDeadLetters(ctx: Ctx, actor: Actor, page: Page) {
  requireAdmin(actor);
  const cursor = page.cursor && /^\d{1,18}$/.test(page.cursor) ? Number(page.cursor) : undefined;
  const found = await ctx.db
    .select()
    .from(outbox)
    .where(
      and(
        eq(outbox.status, 'dead'),
        cursor !== undefined ? afterCursor({ table: outbox, order: [outbox.deadAt, outbox.id], id: outbox.id }, cursor) : undefined,
      ),
    )
    .orderBy(desc(outbox.deadAt), desc(outbox.id))
    .limit(page.limit + 1);
  const items = found.slice(0, page.limit).map(presentOutboxRow);
  return { items, nextCursor: found.length > page.limit ? String(items[items.length - 1]!.id) : null };
}

/** Put a dead letter back in line (an admin fixed the cause, e.g. invited the bot to the channel). */
export async function retryDeadLetter(ctx: Ctx, actor: Actor, id: number) {
  requireAdmin(actor);
  return ctx.db.transaction(async (tx) => {
    const [row] = await tx
      .update(outbox)
      .set({ status: 'pending', attempts: 0, nextAttemptAt: sql`now()`, deadAt: null, deadReason: null })
      .where(and(eq(outbox.id, id), eq(outbox.status, 'dead')))
      .returning();
    if (!row) {
      const [current] = await tx.select({ status: outbox.status }).from(outbox).where(eq(outbox.id, id));
      if (!current) return fail('not_found', 'No such undelivered message.');
      return fail('conflict', `This message is ${current.status === 'sent' ? 'already delivered' : 'already waiting to be delivered'}.`, {
        status: current.status,
      });
    }
    await audit(tx, {
      action: 'outbox.retried',
      ...auditFor(actor),
      details: { outboxId: row.id, kind: row.kind, destination: row.destination, reason: row.lastError },
    });
    await tx.execute(sql`select ${wakeOutbox}`);
    return presentOutboxRow(row);
  });
}

export interface OutboxSummary {
  pending: number;
  dead: number;
  /** Age of the oldest message waiting (it may be waiting for a retry). */
  oldestPendingSeconds: number | null;
  /**
   * How long the longest-waiting message has been due and unclaimed. A worker that keeps up holds this
   * near zero; it grows while nothing delivers (no worker, or a destination that refuses everything).
   */
  oldestDueSeconds: number | null;
}

/** How delivery stands: rows waiting (and the oldest's age), dead letters, per destination. */
export async function outboxSummary(ex: Executor): Promise<Record<string, OutboxSummary>> {
  // Two scans of the partial indexes (pending, dead): sent rows, the bulk of the table, are never read.
  const found = await rows<{ destination: string; pending: number; dead: number; oldest_pending_seconds: number | null; oldest_due_seconds: number | null }>(
    ex,
    sql`select destination, sum(pending)::int as pending, sum(dead)::int as dead,
               max(oldest)::float8 as oldest_pending_seconds, max(due)::float8 as oldest_due_seconds from (
          select destination, count(*) as pending, 0 as dead, extract(epoch from now() - min(created_at)) as oldest,
                 extract(epoch from now() - min(next_attempt_at) filter (where next_attempt_at <= now() and (lease_until is null or lease_until < now()))) as due
          from outbox where status = 'pending' group by destination
          union all
          select destination, 0, count(*), null, null from outbox where status = 'dead' group by destination
        ) s group by destination`,
  );
  const seconds = (v: number | null) => (v === null ? null : Math.round(v));
  return Object.fromEntries(
    found.map((r) => [
      r.destination,
      { pending: r.pending, dead: r.dead, oldestPendingSeconds: seconds(r.oldest_pending_seconds), oldestDueSeconds: seconds(r.oldest_due_seconds) },
    ]),
  );
}

/** A worker that has not done its job for this long is stuck (it refreshes lastSuccessAt at every tick). */
export const WORKER_STALE_SECONDS = 60;
/** A message due and unclaimed for this long means delivery is not keeping up. */
export const DUE_STALE_SECONDS = 300;

/**
 * The outbox as one part of readiness: down while the worker is stopped, its steps are failing, it has
 * done nothing for WORKER_STALE_SECONDS, or a message of a destination that is not paused has been due
 * and unclaimed for DUE_STALE_SECONDS. Never critical: a lagging Slack must not take nurses off an instance.
 */
export function outboxState(
  worker: WorkerStatus,
  summary: Pick<OutboxSummary, 'oldestDueSeconds'> | undefined,
  destination: string,
  now = Date.now(),
): 'up' | 'down' {
  if (!worker.running || worker.lastError !== null) return 'down';
  // Null only before its first step has finished (a failed one sets lastError).
  if (worker.lastSuccessAt !== null && now - Date.parse(worker.lastSuccessAt) > WORKER_STALE_SECONDS * 1000) return 'down';
  if (!worker.paused[destination] && (summary?.oldestDueSeconds ?? 0) > DUE_STALE_SECONDS) return 'down';
  return 'up';
}

/** Delivered rows are kept a week (for support), then deleted; pending and dead rows are never pruned. */
export async function pruneSentOutbox(ex: Executor, olderThanDays = 7): Promise<void> {
  await ex.execute(sql`delete from outbox where status = 'sent' and sent_at < now() - make_interval(days => ${olderThanDays})`);
}

/** The rows of one subject (tests and the bot's delivery read them). */
export async function outboxRowsFor(ex: Executor, key: string): Promise<OutboxRow[]> {
  return ex.select().from(outbox).where(eq(outbox.orderingKey, key)).orderBy(asc(outbox.id));
}
