// A Bolt Receiver that lives inside the Hono server: Slack's POST /slack/events arrives as a web
// Request, is verified on its raw body, and handed to the dispatcher (dispatch.ts), which acknowledges
// commands, clicks and events at once and does the work after the ack; modal submissions are answered
// with whatever the listener passed to ack().
import { createHash } from 'node:crypto';
import { parse as parseQuery } from 'node:querystring';
import type { App, Receiver } from '@slack/bolt';
import type { Logger } from 'pino';
import { FAILED, type Dispatcher } from './dispatch';
import { checkSlackSignature } from './verify';

/** Slack's payloads are a few kilobytes; anything far larger is not from Slack. */
const MAX_BODY_BYTES = 1024 * 1024;

export interface HonoReceiverOptions {
  signingSecret: string;
  logger: Logger;
  /** Claims receipts (so a body Slack re-sends, or a captured one replayed, acts once) and runs Bolt. */
  dispatcher: Dispatcher;
  /** Injectable clock (seconds) for tests. */
  nowSeconds?: () => number;
}

export class HonoReceiver implements Receiver {
  constructor(private readonly opts: HonoReceiverOptions) {}

  init(app: App): void {
    this.opts.dispatcher.init(app);
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {
    await this.opts.dispatcher.stop();
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
    const ack = await this.opts.dispatcher.accept({
      body,
      // The digest covers the body only: a retry carries the same body under a new timestamp.
      key: createHash('sha256').update(rawBody).digest('hex'),
      retryNum: retryNum ? Number(retryNum) : undefined,
      retryReason: req.headers.get('x-slack-retry-reason') ?? undefined,
    });
    if (ack === FAILED) return new Response('', { status: 500 });
    if (ack === undefined) return new Response('', { status: 200 });
    if (typeof ack === 'string') return new Response(ack, { status: 200 });
    return Response.json(ack);
  }
}

/** Slash commands and interactivity arrive form-encoded (interactivity as a JSON `payload` field). */
export function parseBody(rawBody: string, contentType: string | null): Record<string, unknown> {
  if (contentType?.startsWith('application/json')) return JSON.parse(rawBody) as Record<string, unknown>;
  const form = parseQuery(rawBody);
  if (typeof form.payload === 'string') return JSON.parse(form.payload) as Record<string, unknown>;
  return form as Record<string, unknown>;
}
