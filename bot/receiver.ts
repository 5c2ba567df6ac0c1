// A Bolt Receiver that lives inside the Hono server: Slack's POST /slack/events arrives as a web
// Request, is verified on its raw body, de-duplicated, and handed to Bolt. Commands, clicks and events
// are acknowledged with an empty 200 straight after the signature check; modal submissions are answered
// with whatever the listener passed to ack(). Work after the ack carries on in the background, so Slack
// gets its answer well inside three seconds.
import { createHash } from 'node:crypto';
import { parse as parseQuery } from 'node:querystring';
import type { App, Receiver, ReceiverEvent } from '@slack/bolt';
import type { Logger } from 'pino';
import { checkSlackSignature } from './verify';

/** Slack's payloads are a few kilobytes; anything far larger is not from Slack. */
const MAX_BODY_BYTES = 1024 * 1024;
/** Slack gives up after three seconds; a listener that has not acked by then gets an empty 200 for it. */
const ACK_DEADLINE_MS = 2500;

export interface HonoReceiverOptions {
  signingSecret: string;
  logger: Logger;
  /**
   * Records that a signed body has been seen; resolves false when it had been already. A body Slack
   * re-sends (X-Slack-Retry-Num) or a captured request replayed inside the signature window is then
   * answered 200 and not acted on again.
   */
  claim: (key: string) => Promise<boolean>;
  /** Injectable clock (seconds) for tests. */
  nowSeconds?: () => number;
}

/**
 * Work after an early ack runs this many at a time: a burst of commands is acknowledged at once and
 * worked through in order, instead of every ack waiting behind the whole burst's database work.
 */
const BACKGROUND_CONCURRENCY = 4;

export class HonoReceiver implements Receiver {
  private app: App | undefined;
  private readonly queue: Array<() => Promise<void>> = [];
  private running = 0;
  /** Background work still running after its ack; stop() waits for it. */
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(private readonly opts: HonoReceiverOptions) {}

  init(app: App): void {
    this.app = app;
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  /** Waits until every event handed to Bolt so far has finished (tests use it instead of sleeping). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  async handle(req: Request): Promise<Response> {
    const log = this.opts.logger;
    const declared = Number(req.headers.get('content-length') ?? '0');
    if (declared > MAX_BODY_BYTES) return new Response('', { status: 413 });
    const rawBody = await req.text();
    if (Buffer.byteLength(rawBody) > MAX_BODY_BYTES) return new Response('', { status: 413 });

    let body: Record<string, unknown>;
    try {
      body = parseBody(rawBody, req.headers.get('content-type'));
    } catch {
      // Parsed before the signature check only to spot ssl_check; unparseable is refused the same way.
      return new Response('', { status: 400 });
    }

    // Slack's certificate probe for slash commands: answer and do nothing (Bolt's own receivers do this
    // before verification too; it carries no action).
    if (body.ssl_check !== undefined) return new Response('', { status: 200 });

    const problem = checkSlackSignature({
      signingSecret: this.opts.signingSecret,
      rawBody,
      signature: req.headers.get('x-slack-signature'),
      timestamp: req.headers.get('x-slack-request-timestamp'),
      ...(this.opts.nowSeconds ? { nowSeconds: this.opts.nowSeconds() } : {}),
    });
    if (problem) {
      log.warn({ problem }, 'slack: refused a request with an invalid signature');
      return new Response('', { status: 401 });
    }

    if (body.type === 'url_verification') {
      return Response.json({ challenge: body.challenge });
    }

    const retryNum = req.headers.get('x-slack-retry-num');
    const retryReason = req.headers.get('x-slack-retry-reason');
    // The digest covers the body only: a retry carries the same body under a new timestamp.
    const key = createHash('sha256').update(rawBody).digest('hex');

    // Slash commands, button clicks and events are answered with an empty 200 whatever the listener does,
    // so Slack gets it at once, before the database is touched; the claim and the work follow. Only modal
    // submissions (and option loads) put an answer in the ack, and they wait for the listener.
    if (body.type !== 'view_submission' && body.type !== 'block_suggestion') {
      const work = this.schedule(() => this.claimAndDispatch(key, body, retryNum, retryReason)).finally(() => this.inFlight.delete(work));
      this.inFlight.add(work);
      return new Response('', { status: 200 });
    }
    const first = await this.claim(key);
    if (first === 'error') return new Response('', { status: 500 });
    if (!first) {
      log.info({ retryNum, retryReason }, 'slack: ignored a request already handled');
      return new Response('', { status: 200 });
    }
    const app = this.app;
    if (!app) return new Response('', { status: 503 });
    return this.dispatch(app, body, retryNum, retryReason).response;
  }

  private async claim(key: string): Promise<boolean | 'error'> {
    try {
      return await this.opts.claim(key);
    } catch (err) {
      this.opts.logger.error({ err }, 'slack: could not record the request receipt');
      return 'error';
    }
  }

  /** After an early ack: act only on the first delivery of this body. */
  private async claimAndDispatch(key: string, body: Record<string, unknown>, retryNum: string | null, retryReason: string | null): Promise<void> {
    const first = await this.claim(key);
    if (first !== true) {
      if (first === false) this.opts.logger.info({ retryNum, retryReason }, 'slack: ignored a request already handled');
      return;
    }
    const app = this.app;
    if (!app) return;
    await this.dispatch(app, body, retryNum, retryReason).done;
  }

  /** Hands the event to Bolt: `response` settles at the listener's ack, `done` when its work is over. */
  private dispatch(app: App, body: Record<string, unknown>, retryNum: string | null, retryReason: string | null): { response: Promise<Response>; done: Promise<unknown> } {
    const log = this.opts.logger;
    let done: Promise<unknown> = Promise.resolve();
    const response = new Promise<Response>((resolve) => {
      let acked = false;
      const deadline = setTimeout(() => {
        if (acked) return;
        acked = true;
        log.error({ type: body.type }, 'slack: a listener did not ack within 2.5 s; answered for it');
        resolve(new Response('', { status: 200 }));
      }, ACK_DEADLINE_MS);
      deadline.unref();
      const event: ReceiverEvent = {
        body,
        ...(retryNum ? { retryNum: Number(retryNum) } : {}),
        ...(retryReason ? { retryReason } : {}),
        ack: async (response?: unknown) => {
          if (acked) return;
          acked = true;
          clearTimeout(deadline);
          if (response === undefined || response === null || response === '') resolve(new Response('', { status: 200 }));
          else if (typeof response === 'string') resolve(new Response(response, { status: 200 }));
          else resolve(Response.json(response));
        },
      };
      const work = app
        .processEvent(event)
        .then(() => {
          if (!acked) {
            log.warn({ type: body.type }, 'slack: no listener acknowledged the request');
            acked = true;
            resolve(new Response('', { status: 200 }));
          }
        })
        .catch((err: unknown) => {
          log.error({ err }, 'slack: a listener failed');
          if (!acked) {
            acked = true;
            resolve(new Response('', { status: 500 }));
          }
        })
        .finally(() => {
          clearTimeout(deadline);
          this.inFlight.delete(work);
        });
      this.inFlight.add(work);
      done = work;
    });
    return { response, done };
  }

  /** Runs background work at most BACKGROUND_CONCURRENCY at a time, in arrival order. */
  private schedule(task: () => Promise<void>): Promise<void> {
    return new Promise<void>((resolve) => {
      this.queue.push(() => task().finally(resolve));
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

/** Slash commands and interactivity arrive form-encoded (interactivity as a JSON `payload` field). */
export function parseBody(rawBody: string, contentType: string | null): Record<string, unknown> {
  if (contentType?.startsWith('application/json')) return JSON.parse(rawBody) as Record<string, unknown>;
  const form = parseQuery(rawBody);
  if (typeof form.payload === 'string') return JSON.parse(form.payload) as Record<string, unknown>;
  return form as Record<string, unknown>;
}
