// A local stand-in for Slack's Web API (SLACK_API_URL) and for response_url: it records every call and
// answers the way Slack does (`ok`, `ts`, `channel`), checks every Block Kit payload against Slack's limits,
// and can be stopped and restarted on the same port to play an outage.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse as parseQuery } from 'node:querystring';
import { blockKitProblems } from '../../bot/blocks/limits';

/** Recorded payloads are whatever JSON Slack would see; tests dig into them freely. */
export type Json = Record<string, any>;

export interface SlackCall {
  /** Web API method (`chat.postMessage`) or `response_url`. */
  method: string;
  body: Json;
  token: string | undefined;
  /** For response_url calls: the id in the URL (the test chooses it per payload). */
  responseId?: string;
  /** What the fake answered. */
  result: Json;
}

export interface FakeUser {
  id: string;
  name: string;
  realName?: string;
}

export class FakeSlack {
  readonly calls: SlackCall[] = [];
  /** Block Kit limit violations seen in any payload (tests assert it stays empty). */
  readonly problems: string[] = [];
  readonly users = new Map<string, FakeUser>();
  /** Answers `{ok: false, error}` to the next calls of a method. */
  private readonly failures = new Map<string, string[]>();
  private server: Server | undefined;
  private port = 0;
  private seq = 0;
  private viewSeq = 0;

  /** Base of the Web API, with the trailing slash WebClient needs. */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api/`;
  }

  responseUrl(id: string): string {
    return `http://127.0.0.1:${this.port}/response/${id}`;
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => void this.route(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Stops listening (the port is kept, so start() comes back on the same URLs). */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  failNext(method: string, error: string, times = 1): void {
    this.failures.set(method, [...(this.failures.get(method) ?? []), ...Array<string>(times).fill(error)]);
  }

  reset(): void {
    this.calls.length = 0;
    this.problems.length = 0;
  }

  callsTo(method: string, filter?: (c: SlackCall) => boolean): SlackCall[] {
    return this.calls.filter((c) => c.method === method && (!filter || filter(c)));
  }

  /** Polls the recorded calls until `predicate` holds, or fails after `timeoutMs`. */
  async waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const got = probe();
      if (got) return got;
      if (Date.now() > deadline) {
        const seen = this.calls.map((c) => c.method).join(', ');
        throw new Error(`fake Slack: timed out waiting for ${what} (calls so far: ${seen || 'none'})`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Waits for the first call to `method` matching `filter`. */
  waitForCall(method: string, filter?: (c: SlackCall) => boolean, timeoutMs?: number): Promise<SlackCall> {
    return this.waitFor(method, () => this.callsTo(method, filter)[0], timeoutMs);
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://x');
    const body = parseBody(raw, req.headers['content-type']);
    const auth = req.headers.authorization;
    const token = auth?.startsWith('Bearer ') ? auth.slice(7) : typeof body.token === 'string' ? body.token : undefined;

    let method: string;
    let responseId: string | undefined;
    if (url.pathname.startsWith('/api/')) method = url.pathname.slice(5);
    else if (url.pathname.startsWith('/response/')) {
      method = 'response_url';
      responseId = url.pathname.slice(10);
    } else {
      res.writeHead(404).end();
      return;
    }

    this.checkLimits(method, body);
    const failure = this.failures.get(method)?.shift();
    const result = failure ? { ok: false, error: failure } : this.answer(method, body);
    this.calls.push({ method, body, token, result, ...(responseId ? { responseId } : {}) });
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result));
  }

  private checkLimits(method: string, body: Json): void {
    const payloads: Record<string, unknown>[] = [];
    if (method === 'views.open' || method === 'views.publish' || method === 'views.update' || method === 'views.push') {
      if (body.view) payloads.push(body.view);
    } else if (body.blocks !== undefined || body.text !== undefined) {
      payloads.push({ text: body.text, blocks: body.blocks });
    }
    for (const p of payloads) for (const problem of blockKitProblems(p)) this.problems.push(`${method}: ${problem}`);
  }

  private answer(method: string, body: Json): Json {
    const ts = () => `${1_700_000_000 + ++this.seq}.${String(this.seq).padStart(6, '0')}`;
    switch (method) {
      case 'auth.test':
        return { ok: true, url: 'https://fake.slack.test/', team: 'Fake Hospital', user: 'emergency-token', team_id: 'T0FAKE', user_id: 'UBOT', bot_id: 'BBOT' };
      case 'chat.postMessage': {
        const channel = String(body.channel ?? '');
        if (!channel) return { ok: false, error: 'channel_not_found' };
        // Posting to a user id lands in the DM with that user, whose id starts with D.
        const ch = channel.startsWith('U') ? `D${channel.slice(1)}` : channel;
        const t = ts();
        return { ok: true, channel: ch, ts: t, message: { text: body.text, blocks: body.blocks, ts: t } };
      }
      case 'chat.update':
        if (!body.channel || !body.ts) return { ok: false, error: 'message_not_found' };
        return { ok: true, channel: body.channel, ts: body.ts, text: body.text };
      case 'chat.postEphemeral':
        return { ok: true, message_ts: ts() };
      case 'conversations.open': {
        const user = String(body.users ?? '').split(',')[0] ?? '';
        return { ok: true, channel: { id: `D${user.slice(1)}` } };
      }
      case 'users.info': {
        const id = String(body.user ?? '');
        const u = this.users.get(id);
        if (!u) return { ok: false, error: 'user_not_found' };
        return {
          ok: true,
          user: { id: u.id, name: u.name, real_name: u.realName ?? u.name, profile: { real_name: u.realName ?? u.name, display_name: u.name } },
        };
      }
      case 'views.open':
      case 'views.push':
      case 'views.update':
      case 'views.publish':
        return { ok: true, view: { id: `V${++this.viewSeq}`, ...(body.view ?? {}) } };
      case 'response_url':
        return { ok: true };
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }
}

/** WebClient posts form-encoded with nested values JSON-encoded; response_url gets JSON. */
function parseBody(raw: string, contentType: string | undefined): Json {
  if (!raw) return {};
  if (contentType?.startsWith('application/json')) return JSON.parse(raw) as Json;
  const form = parseQuery(raw) as Json;
  for (const k of ['blocks', 'view', 'attachments', 'metadata']) {
    if (typeof form[k] === 'string') form[k] = JSON.parse(form[k] as string);
  }
  return form;
}
