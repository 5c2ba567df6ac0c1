// With no Slack settings the service runs without the bot and says so once; with SLACK_APP_TOKEN the
// bot is built for Socket Mode and the HTTP endpoint is not used.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../api/config';
import type { Ctx } from '../../api/domain/context';
import { createRuntime, type Runtime } from '../../api/runtime';
import { createSlackBot } from '../../bot/index';
import { freshDatabase, type TestDatabase } from '../helpers/database';

const lines: string[] = [];
const sink = new Writable({
  write(chunk, _enc, done) {
    lines.push(String(chunk));
    done();
  },
});

let db: TestDatabase;
let runtime: Runtime;
beforeAll(async () => {
  db = await freshDatabase();
  const config = loadConfig({
    DATA_DIR: mkdtempSync(join(tmpdir(), 'et-test-')),
    APP_SECRET: randomBytes(32).toString('hex'),
    ADMIN_PASSWORD: 'root-password-1',
  });
  runtime = await createRuntime(config, { logger: pino({ level: 'info' }, sink), background: false, database: db.database, createBot: createSlackBot });
});
afterAll(async () => {
  await runtime?.close().catch(() => {});
  if (db?.url) await db.drop();
});

describe('without Slack settings', () => {
  it('runs without the bot, logs it once, and the API works', async () => {
    expect(runtime.bot).toBeUndefined();
    expect(lines.filter((l) => /bot is off/.test(l))).toHaveLength(1);
    expect((await runtime.app.request('/healthz')).status).toBe(200);
    expect((await runtime.app.request('/slack/events', { method: 'POST', body: 'x' })).status).toBe(404);
  });
});

describe('Socket Mode', () => {
  it('is chosen when SLACK_APP_TOKEN is set, and leaves /slack/events unused', async () => {
    const config = loadConfig({
      DATA_DIR: mkdtempSync(join(tmpdir(), 'et-test-')),
      APP_SECRET: randomBytes(32).toString('hex'),
      SLACK_BOT_TOKEN: 'xoxb-1',
      SLACK_APP_TOKEN: 'xapp-1',
      SLACK_API_URL: 'http://127.0.0.1:9/api',
    });
    const ctx = { ...runtime.ctx, config } as Ctx;
    const bot = createSlackBot(ctx, pino({ level: 'silent' }))!;
    expect(bot.mode).toBe('socket');
    const res = await bot.handle({
      req: { raw: new Request('http://x/slack/events', { method: 'POST' }) },
      json: (b: unknown, s: number) => Response.json(b, { status: s }),
    } as never);
    expect(res.status).toBe(404);
    expect(createSlackBot({ ...runtime.ctx }, pino({ level: 'silent' }))).toBeUndefined();
  });
});
