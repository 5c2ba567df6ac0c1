// How both receivers (HTTP at /slack/events, and Socket Mode) hand Slack's requests to Bolt. Commands,
// clicks and events are acknowledged at once, before the database is touched: the receipt that stops a
// retry from acting twice is claimed, and the work done, in the background. Only modal submissions (and
// option loads) put an answer in the ack; they wait for the receipt (one short insert) and the listener.
import type { App, ReceiverEvent } from '@slack/bolt';
import type { Logger } from 'pino';

/** Slack gives up after three seconds; a listener that has not acked by then gets an empty ack for it. */
const ACK_DEADLINE_MS = 2500;
/**
 * Work after an early ack runs this many at a time: a burst of commands is acknowledged at once and worked
 * through in order, instead of every ack waiting behind the whole burst's database work.
 */
const BACKGROUND_CONCURRENCY = 8;

/** What goes back to Slack: nothing (an empty 200 / an empty ack), or the listener's ack payload. */
export type AckBody = undefined | string | Record<string, unknown>;
/** A listener threw before acknowledging: HTTP answers 500 (Slack then shows its own error). */
export const FAILED = Symbol('listener failed before its ack');

export interface Incoming {
  body: Record<string, unknown>;
  /** A digest of what Slack sent: a redelivery has the same one. */
  key: string;
  retryNum?: number | undefined;
  retryReason?: string | undefined;
}

export class Dispatcher {
  private app: App | undefined;
  private readonly queue: Array<() => Promise<void>> = [];
  private running = 0;
  /** Work still running after its ack; stop() and idle() wait for it. */
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly log: Logger,
    /** Records that `key` was seen; resolves false when it had been already. */
    private readonly claim: (key: string) => Promise<boolean>,
  ) {}

  init(app: App): void {
    this.app = app;
  }

  async stop(): Promise<void> {
    await this.idle();
  }

  /** Waits until every event handed to Bolt so far has finished (tests use it instead of sleeping). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Resolves with the ack as soon as it is known; the work may carry on after it. */
  async accept(incoming: Incoming): Promise<AckBody | typeof FAILED> {
    const type = incoming.body.type;
    if (type !== 'view_submission' && type !== 'block_suggestion') {
      const work = this.schedule(() => this.claimAndDispatch(incoming)).finally(() => this.inFlight.delete(work));
      this.inFlight.add(work);
      return undefined;
    }
    const first = await this.tryClaim(incoming.key);
    if (first === 'error') return FAILED;
    if (!first) {
      this.log.info({ retryNum: incoming.retryNum, retryReason: incoming.retryReason }, 'slack: ignored a request already handled');
      return undefined;
    }
    return this.dispatch(incoming).ack;
  }

  private async tryClaim(key: string): Promise<boolean | 'error'> {
    try {
      return await this.claim(key);
    } catch (err) {
      this.log.error({ err }, 'slack: could not record the request receipt');
      return 'error';
    }
  }

  /** After an early ack: act only on the first delivery of this body. */
  private async claimAndDispatch(incoming: Incoming): Promise<void> {
    const first = await this.tryClaim(incoming.key);
    if (first !== true) {
      if (first === false) this.log.info({ retryNum: incoming.retryNum, retryReason: incoming.retryReason }, 'slack: ignored a request already handled');
      return;
    }
    await this.dispatch(incoming).done;
  }

  /** Hands the event to Bolt: `ack` settles at the listener's ack, `done` when its work is over. */
  private dispatch(incoming: Incoming): { ack: Promise<AckBody | typeof FAILED>; done: Promise<unknown> } {
    const { body } = incoming;
    const log = this.log;
    const app = this.app;
    if (!app) return { ack: Promise.resolve(undefined), done: Promise.resolve() };
    let done: Promise<unknown> = Promise.resolve();
    const ack = new Promise<AckBody | typeof FAILED>((resolve) => {
      let acked = false;
      const deadline = setTimeout(() => {
        if (acked) return;
        acked = true;
        log.error({ type: body.type }, 'slack: a listener did not ack within 2.5 s; answered for it');
        resolve(undefined);
      }, ACK_DEADLINE_MS);
      deadline.unref();
      const event: ReceiverEvent = {
        body,
        ...(incoming.retryNum !== undefined ? { retryNum: incoming.retryNum } : {}),
        ...(incoming.retryReason ? { retryReason: incoming.retryReason } : {}),
        ack: async (response?: unknown) => {
          if (acked) return;
          acked = true;
          clearTimeout(deadline);
          resolve(response === null || response === '' ? undefined : (response as AckBody));
        },
      };
      const work = app
        .processEvent(event)
        .then(() => {
          if (!acked) {
            log.warn({ type: body.type }, 'slack: no listener acknowledged the request');
            acked = true;
            resolve(undefined);
          }
        })
        .catch((err: unknown) => {
          log.error({ err }, 'slack: a listener failed');
          if (!acked) {
            acked = true;
            resolve(FAILED);
          }
        })
        .finally(() => {
          clearTimeout(deadline);
          this.inFlight.delete(work);
        });
      this.inFlight.add(work);
      done = work;
    });
    return { ack, done };
  }

  /** Runs background work at most BACKGROUND_CONCURRENCY at a time, in arrival order. */
  private schedule(task: () => Promise<void>): Promise<void> {
    return new Promise<void>((resolve) => {
      this.queue.push(() =>
        task().then(resolve, (err: unknown) => {
          this.log.error({ err }, 'slack: background work failed');
          resolve();
        }),
      );
      this.pump();
    });
  }

  private pump(): void {
    while (this.running < BACKGROUND_CONCURRENCY && this.queue.length > 0) {
      const next = this.queue.shift()!;
      this.running++;
      void next().finally(() => {
        this.running--;
        this.pump();
      });
    }
  }
}
