// Notifications for changes that have already committed, sent in as few transactions as possible.
//
// Why not pg_notify inside the change's own statement: Postgres makes every transaction that sent a
// NOTIFY commit while holding one lock for the whole cluster (PreCommit_Notify in async.c takes it, the
// commit record's flush happens under it, so notifications queue in commit order). Validations that each
// notify therefore commit one at a time, each with a flush of its own, and group commit cannot help: at
// the database the validation statement ran 1.6-2× faster without its NOTIFYs (bench/notes.md). Sent from
// here, the changes commit freely, and the notifications of everything that committed meanwhile share one
// small transaction: at most one is in flight per instance, the next one takes everything queued behind it.
//
// The price: an instance that dies between a change's commit and this send loses that announcement, as a
// dropped LISTEN connection already loses what was sent meanwhile. Announcements are hints to refetch
// (live screens, App Home); what must arrive goes through the outbox, whose worker also polls.

/** One notification: its channel and payload (at most 8,000 bytes, Postgres's limit). */
export type Notification = readonly [channel: string, payload: string];

/** At most this many notifications per transaction, so that one statement's argument stays small. */
const MAX_BATCH = 500;

export interface NotifierStats {
  /** Notifications handed to Postgres. */
  sent: number;
  /** Transactions they went out in. */
  batches: number;
  /** Notifications lost because their send failed (the database unreachable). */
  dropped: number;
}

export class Notifier {
  private queue: Notification[] = [];
  private flushing: Promise<void> | null = null;
  readonly stats: NotifierStats = { sent: 0, batches: 0, dropped: 0 };

  constructor(
    /** Sends one batch: one statement, its own transaction, on Postgres; on PGlite, handed to the listeners in this process. */
    private readonly send: (batch: Notification[]) => Promise<void>,
    private readonly onError: (err: unknown, lost: number) => void = () => {},
  ) {}

  /** Queues a notification; it is sent with whatever else is queued once the send in flight is done. */
  notify(channel: string, payload: string): void {
    this.queue.push([channel, payload]);
    this.flushing ??= this.flush();
  }

  /** Resolves when everything queued so far has been sent (or dropped). */
  async drain(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private async flush(): Promise<void> {
    // Let the callers of this tick queue theirs first, so they share the first transaction too.
    await Promise.resolve();
    while (this.queue.length) {
      const batch = this.queue.splice(0, MAX_BATCH);
      try {
        await this.send(batch);
        this.stats.sent += batch.length;
        this.stats.batches++;
      } catch (err) {
        this.stats.dropped += batch.length;
        this.onError(err, batch.length);
      }
    }
    this.flushing = null;
  }
}

/** The one statement a batch is sent with: its notifications in order, from one JSON argument. */
export const NOTIFY_BATCH_SQL = 'select pg_notify(n->>0, n->>1) from json_array_elements($1::json) n';
