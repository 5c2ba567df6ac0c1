// A local stand-in for Slack's servers: the Web API (SLACK_API_URL), response_url, and Socket Mode
// (apps.connections.open hands out a local WebSocket that says `hello`, carries envelopes and checks
// that each is acknowledged by its envelope_id). It records every call and answers the way Slack does
// (`ok`, `ts`, `channel`), checks every Block Kit payload against Slack's limits and our house rules,
// and can misbehave on cue: answer an error, a 5xx or a 429 with Retry-After, hang, act and then lose
// the response, drop the socket, or be stopped and restarted on the same port to play an outage.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse as parseQuery } from 'node:querystring';
import { WebSocketServer, WebSocket } from 'ws';
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
  /** What the fake answered (for a lost response: what it did, though the caller never saw it). */
  result: Json;
  /** How the call was answered when a misbehaviour was scripted. */
  fault?: 'error' | 'http' | 'rate_limited' | 'lost' | 'hung';
}

export interface FakeUser {
  id: string;
  name: string;
  realName?: string;
  teamId?: string;
  deleted?: boolean;
  isBot?: boolean;
  /** Multi-channel guest. */
  isRestricted?: boolean;
  /** Single-channel guest. */
  isUltraRestricted?: boolean;
  /** Slack's locale, e.g. `id-ID` (returned with include_locale). */
  locale?: string;
}

/** A scripted misbehaviour for the calls a predicate selects. */
export interface Fault {
  /** `{ok: false, error}` with HTTP 200, as Slack answers a refused call. */
  error?: string;
  /** An HTTP status other than 200 (Slack's own outages), with a short text body. */
  status?: number;
  /** 429 with this Retry-After (seconds). */
  retryAfter?: number;
  /** Act (post the message, assign its ts) and then close the connection without answering. */
  loseResponse?: boolean;
}

interface Script extends Fault {
  method: string | RegExp;
  when?: ((body: Json) => boolean) | undefined;
  /** Calls left to misbehave on; Infinity until cleared. */
  left: number;
}

export interface Envelope {
  envelopeId: string;
  type: string;
  payload: Json;
  sentAt: number;
  ack?: { payload: Json; at: number };
}

export const FAKE_TEAM_ID = 'T0FAKE';

/** A chat.postMessage that landed in the DM with `slackUserId` (posted to their user id or their DM channel). */
export const isDmTo = (c: SlackCall, slackUserId: string) => c.method === 'chat.postMessage' && c.result.channel === `D${slackUserId.slice(1)}`;

export class FakeSlack {
  readonly calls: SlackCall[] = [];
  /** Block Kit limit violations and house-rule breaches seen in any payload (tests assert it stays empty). */
  readonly problems: string[] = [];
  readonly users = new Map<string, FakeUser>();
  /** users.info for an id never registered: a plain member of the workspace, or `user_not_found`. */
  unknownUsers: 'member' | 'not_found' = 'member';
  /** Socket Mode envelopes sent, by id, with their acknowledgement once it came. */
  readonly envelopes = new Map<string, Envelope>();
  /** WebSocket connections opened by clients, in order. */
  readonly sockets: WebSocket[] = [];
  private readonly scripts: Script[] = [];
  /** Messages that exist, by `channel:ts` (chat.update of anything else is message_not_found). */
  private readonly messages = new Map<string, Json>();
  private hanging: ((c: { method: string; body: Json }) => boolean) | null = null;
  private readonly hung = new Set<ServerResponse>();
  private server: Server | undefined;
  private wss: WebSocketServer | undefined;
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
    const wss = new WebSocketServer({ noServer: true });
    server.on('upgrade', (req, socket, head) => {
      if (!req.url?.startsWith('/socket')) return socket.destroy();
      wss.handleUpgrade(req, socket, head, (ws) => this.onSocket(ws));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
    this.wss = wss;
  }

  /** Stops listening and drops every socket (the port is kept, so start() comes back on the same URLs). */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.dropSockets();
    this.wss?.close();
    for (const res of this.hung) res.destroy();
    this.hung.clear();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  // ---- misbehaviour on cue ----------------------------------------------------------------------

  /** The next `times` calls to `method` (optionally only those `when` selects) misbehave as `fault` says. */
  script(method: string | RegExp, fault: Fault, opts: { times?: number; when?: (body: Json) => boolean } = {}): void {
    this.scripts.push({ method, ...fault, when: opts.when, left: opts.times ?? 1 });
  }

  failNext(method: string, error: string, times = 1): void {
    this.script(method, { error }, { times });
  }

  /** Every call to `method` (that `when` selects) answers `{ok: false, error}` until clearFaults(). */
  failAlways(method: string | RegExp, error: string, when?: (body: Json) => boolean): void {
    this.script(method, { error }, { times: Infinity, when });
  }

  clearFaults(): void {
    this.scripts.length = 0;
  }

  /**
   * From now on, requests (all, or those `which` selects) are held without an answer until unhang()
   * (or until the caller gives up); socket acks are not affected.
   */
  hang(which: (req: { method: string; body: Json }) => boolean = () => true): void {
    this.hanging = which;
  }

  /** Answers nothing held so far (their callers have given up or will) and stops hanging. */
  unhang(): void {
    this.hanging = null;
    for (const res of this.hung) res.destroy();
    this.hung.clear();
  }

  /** How many requests are being held right now. */
  get hungCount(): number {
    return this.hung.size;
  }

  /** Someone deleted this message in Slack: updating it now fails with message_not_found. */
  deleteMessage(channel: string, ts: string): void {
    this.messages.delete(`${channel}:${ts}`);
  }

  reset(): void {
    this.calls.length = 0;
    this.problems.length = 0;
  }

  callsTo(method: string, filter?: (c: SlackCall) => boolean): SlackCall[] {
    return this.calls.filter((c) => c.method === method && (!filter || filter(c)));
  }

  /** Polls until `probe` returns something truthy, or fails after `timeoutMs`. */
  async waitFor<T>(what: string, probe: () => T | undefined | false | null, timeoutMs = 10_000): Promise<T> {
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

  // ---- Socket Mode --------------------------------------------------------------------------------

  /** The open sockets. */
  openSockets(): WebSocket[] {
    return this.sockets.filter((s) => s.readyState === WebSocket.OPEN);
  }

  /** Waits until a client holds an open socket (that has been sent `hello`); returns how many were ever opened. */
  async waitForSocket(timeoutMs = 15_000): Promise<number> {
    await this.waitFor('a Socket Mode connection', () => this.openSockets().length > 0, timeoutMs);
    return this.sockets.length;
  }

  /** Closes every socket without a goodbye, as a network drop would. */
  dropSockets(): void {
    for (const s of this.sockets) if (s.readyState === WebSocket.OPEN || s.readyState === WebSocket.CONNECTING) s.terminate();
  }

  /**
   * Sends an envelope (`slash_commands`, `interactive` or `events_api`) over the newest open socket and
   * resolves with its acknowledgement. Fails when no socket is open.
   */
  send(
    type: string,
    payload: Json,
    opts: { retryAttempt?: number } = {},
  ): { envelopeId: string; acked: (timeoutMs?: number) => Promise<{ payload: Json; ms: number }> } {
    const ws = this.openSockets().at(-1);
    if (!ws) throw new Error('fake Slack: no open Socket Mode connection to send on');
    const envelopeId = randomUUID();
    const envelope: Envelope = { envelopeId, type, payload, sentAt: performance.now() };
    this.envelopes.set(envelopeId, envelope);
    ws.send(
      JSON.stringify({
        envelope_id: envelopeId,
        type,
        payload,
        accepts_response_payload: type !== 'events_api',
        ...(opts.retryAttempt !== undefined && { retry_attempt: opts.retryAttempt, retry_reason: 'timeout' }),
      }),
    );
    return {
      envelopeId,
      acked: async (timeoutMs?: number) => {
        const ack = await this.waitFor(`the ack of envelope ${envelopeId} (${type})`, () => envelope.ack, timeoutMs);
        return { payload: ack.payload, ms: ack.at - envelope.sentAt };
      },
    };
  }

  /** Envelopes sent but never acknowledged. */
  unacked(): Envelope[] {
    return [...this.envelopes.values()].filter((e) => !e.ack);
  }

  private onSocket(ws: WebSocket): void {
    this.sockets.push(ws);
    ws.on('message', (data) => {
      let msg: Json;
      try {
        msg = JSON.parse(String(data)) as Json;
      } catch {
        this.problems.push(`socket: a message that is not JSON: ${String(data).slice(0, 100)}`);
        return;
      }
      const envelope = this.envelopes.get(String(msg.envelope_id));
      if (!envelope) return void this.problems.push(`socket: an ack for an unknown envelope_id ${String(msg.envelope_id)}`);
      if (envelope.ack) return void this.problems.push(`socket: envelope ${envelope.envelopeId} acknowledged twice`);
      envelope.ack = { payload: (msg.payload ?? {}) as Json, at: performance.now() };
      const p = envelope.ack.payload;
      if (p.view) this.checkLimits('ack.view', { view: p.view });
    });
    ws.on('error', () => {});
    ws.send(
      JSON.stringify({ type: 'hello', num_connections: this.openSockets().length, debug_info: { host: 'fake-slack' }, connection_info: { app_id: 'A0FAKE' } }),
    );
  }

  // ---- HTTP -------------------------------------------------------------------------------------------

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://x');
    const body = parseBody(raw, req.headers['content-type']);
    const auth = req.headers.authorization;
    const token = auth?.startsWith('Bearer ') ? auth.slice(7) : typeof body.token === 'string' ? body.token : undefined;

    const method = methodOf(url.pathname);
    if (!method) {
      res.writeHead(404).end();
      return;
    }
    const responseId = method === 'response_url' ? url.pathname.slice('/response/'.length) : undefined;
    const record = (result: Json, fault?: SlackCall['fault']) =>
      this.calls.push({ method, body, token, result, ...(responseId !== undefined ? { responseId } : {}), ...(fault && { fault }) });

    if (this.hanging?.({ method, body })) {
      record({ ok: false, error: 'hung' }, 'hung');
      this.hung.add(res);
      res.on('close', () => this.hung.delete(res));
      return;
    }

    this.checkLimits(method, body);
    const script = this.scripts.find(
      (s) => s.left > 0 && (typeof s.method === 'string' ? s.method === method : s.method.test(method)) && (!s.when || s.when(body)),
    );
    if (script) script.left--;

    if (script?.status) {
      record({ ok: false, status: script.status }, 'http');
      res.writeHead(script.status, { 'content-type': 'text/plain' }).end('upstream failure');
      return;
    }
    if (script?.retryAfter !== undefined) {
      record({ ok: false, error: 'ratelimited' }, 'rate_limited');
      res
        .writeHead(429, { 'content-type': 'application/json', 'retry-after': String(script.retryAfter) })
        .end(JSON.stringify({ ok: false, error: 'ratelimited' }));
      return;
    }
    if (script?.error) {
      const result = { ok: false, error: script.error };
      record(result, 'error');
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result));
      return;
    }
    const result = this.answer(method, body, token);
    if (script?.loseResponse) {
      // Slack acted; the answer never reaches the caller.
      record(result, 'lost');
      res.destroy();
      return;
    }
    record(result);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result));
  }

  private checkLimits(method: string, body: Json): void {
    const payloads: Record<string, unknown>[] = [];
    if (method === 'views.open' || method === 'views.publish' || method === 'views.update' || method === 'views.push' || method === 'ack.view') {
      if (body.view) payloads.push(body.view);
    } else if (body.blocks !== undefined || body.text !== undefined) {
      payloads.push({ text: body.text, blocks: body.blocks });
    }
    for (const p of payloads) {
      for (const problem of blockKitProblems(p)) this.problems.push(`${method}: ${problem}`);
      for (const problem of houseRuleProblems(p)) this.problems.push(`${method}: ${problem}`);
    }
  }

  private answer(method: string, body: Json, token: string | undefined): Json {
    const ts = () => `${1_700_000_000 + ++this.seq}.${String(this.seq).padStart(6, '0')}`;
    switch (method) {
      case 'auth.test':
        return {
          ok: true,
          url: 'https://fake.slack.test/',
          team: 'Fake Hospital',
          user: 'emergency-token',
          team_id: FAKE_TEAM_ID,
          user_id: 'UBOT',
          bot_id: 'BBOT',
        };
      case 'apps.connections.open':
        if (!token?.startsWith('xapp-')) return { ok: false, error: 'not_allowed_token_type' };
        return { ok: true, url: `ws://127.0.0.1:${this.port}/socket?ticket=${randomUUID()}` };
      case 'chat.postMessage': {
        const channel = String(body.channel ?? '');
        if (!channel) return { ok: false, error: 'channel_not_found' };
        // Posting to a user id lands in the DM with that user, whose id starts with D.
        const ch = channel.startsWith('U') ? `D${channel.slice(1)}` : channel;
        if (body.thread_ts && !this.messages.has(`${ch}:${String(body.thread_ts)}`)) return { ok: false, error: 'thread_not_found' };
        const t = ts();
        const message = { text: body.text, blocks: body.blocks, ts: t, ...(body.thread_ts && { thread_ts: body.thread_ts }) };
        this.messages.set(`${ch}:${t}`, message);
        return { ok: true, channel: ch, ts: t, message };
      }
      case 'chat.update': {
        const key = `${String(body.channel)}:${String(body.ts)}`;
        if (!body.channel || !body.ts || !this.messages.has(key)) return { ok: false, error: 'message_not_found' };
        this.messages.set(key, { text: body.text, blocks: body.blocks, ts: body.ts });
        return { ok: true, channel: body.channel, ts: body.ts, text: body.text };
      }
      case 'chat.getPermalink': {
        const key = `${String(body.channel)}:${String(body.message_ts)}`;
        if (!this.messages.has(key)) return { ok: false, error: 'message_not_found' };
        return {
          ok: true,
          channel: body.channel,
          permalink: `https://fake.slack.test/archives/${String(body.channel)}/p${String(body.message_ts).replace('.', '')}`,
        };
      }
      case 'chat.postEphemeral':
        return { ok: true, message_ts: ts() };
      case 'conversations.open': {
        const user = String(body.users ?? '').split(',')[0] ?? '';
        return { ok: true, channel: { id: `D${user.slice(1)}` } };
      }
      case 'users.info': {
        const id = String(body.user ?? '');
        const u = this.users.get(id) ?? (this.unknownUsers === 'member' && /^[UW][A-Z0-9]+$/.test(id) ? { id, name: id.toLowerCase() } : undefined);
        if (!u) return { ok: false, error: 'user_not_found' };
        return {
          ok: true,
          user: {
            id: u.id,
            team_id: u.teamId ?? FAKE_TEAM_ID,
            name: u.name,
            deleted: u.deleted ?? false,
            real_name: u.realName ?? u.name,
            is_bot: u.isBot ?? false,
            is_restricted: u.isRestricted ?? false,
            is_ultra_restricted: u.isUltraRestricted ?? false,
            is_app_user: false,
            profile: { real_name: u.realName ?? u.name, display_name: u.name },
            ...(String(body.include_locale) === 'true' && { locale: u.locale ?? 'en-US' }),
          },
        };
      }
      case 'views.open':
      case 'views.push':
      case 'views.update':
      case 'views.publish':
        return { ok: true, view: { id: body.view_id ?? `V${++this.viewSeq}`, ...(body.view ?? {}) } };
      case 'response_url':
        return { ok: true };
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }
}

function methodOf(pathname: string): string | undefined {
  const path = pathname.split('?')[0] ?? '';
  if (path.startsWith('/api/')) return path.slice(5);
  if (path.startsWith('/response/')) return 'response_url';
  return undefined;
}

/**
 * Our own rules on top of Slack's: every button says what it does to a screen reader
 * (accessibility_label) and carries a value when it has one at all (never an empty string).
 */
export function houseRuleProblems(payload: Json): string[] {
  const problems: string[] = [];
  const walk = (v: unknown, where: string) => {
    if (Array.isArray(v)) return v.forEach((x, i) => walk(x, `${where}[${i}]`));
    if (!v || typeof v !== 'object') return;
    const o = v as Json;
    if (o.type === 'button') {
      if (typeof o.accessibility_label !== 'string' || o.accessibility_label.trim() === '') problems.push(`${where}: a button without accessibility_label`);
      if ('value' in o && (typeof o.value !== 'string' || o.value === '')) problems.push(`${where}: a button with an empty value`);
    }
    for (const [k, x] of Object.entries(o)) if (typeof x === 'object') walk(x, `${where}.${k}`);
  };
  walk(payload.blocks, 'blocks');
  return problems;
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
