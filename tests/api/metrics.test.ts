// GET /metrics: Prometheus text format behind a bearer token, and it moves with what happens: a
// validation (by outcome, with its latency), a lockout, a message waiting in the outbox.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import parsePrometheus, { type Family } from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate, quickUser, startHarness, type Harness } from '../helpers/harness';

const TOKEN = 'metrics-token-for-tests-0123456789';
let h: Harness;
beforeAll(async () => {
  // Slack configured (no bot started), so changes queue outbox rows that nothing delivers.
  h = await startHarness({ METRICS_TOKEN: TOKEN, SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: 'test-signing-secret' });
});
afterAll(() => h?.close());

let lastText = '';
async function scrape(): Promise<Map<string, Family>> {
  const res = await h.http('GET', '/metrics', { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  // Every line is a comment or a sample in the exposition format.
  for (const line of res.text.split('\n').filter(Boolean)) {
    expect(line).toMatch(
      /^(# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .*|[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*",?)*\})? (-?[0-9.e+-]+|[Nn][Aa][Nn]|[+-]Inf)( -?\d+)?)$/,
    );
  }
  lastText = res.text;
  return new Map(parsePrometheus(res.text).map((f) => [f.name, f]));
}

const value = (m: Map<string, Family>, name: string, labels: Record<string, string> = {}) => {
  const sample = m.get(name)?.metrics.find((s) => Object.entries(labels).every(([k, v]) => s.labels?.[k] === v));
  return Number(sample?.value ?? sample?.count ?? 0);
};

describe('GET /metrics', () => {
  it('needs the bearer token', async () => {
    expect((await h.http('GET', '/metrics')).status).toBe(401);
    expect((await h.http('GET', '/metrics', { headers: { authorization: `Bearer ${TOKEN}x` } })).status).toBe(401);
  });

  it('parses as Prometheus text with the families operators alert on', async () => {
    const m = await scrape();
    const types: Record<string, string> = {
      et_validations_total: 'COUNTER',
      et_validate_duration_seconds: 'HISTOGRAM',
      et_http_request_duration_seconds: 'HISTOGRAM',
      et_outbox_pending: 'GAUGE',
      et_outbox_oldest_pending_age_seconds: 'GAUGE',
      et_outbox_dead_letters: 'GAUGE',
      et_outbox_deliveries_total: 'COUNTER',
      et_slack_delivery_failures_total: 'COUNTER',
      et_lockouts_total: 'GAUGE',
      et_locked_out_now: 'GAUGE',
      et_sse_clients: 'GAUGE',
      et_event_listener_up: 'GAUGE',
      et_notifications_total: 'GAUGE',
      et_database_up: 'GAUGE',
      et_process_resident_memory_bytes: 'GAUGE',
    };
    for (const [name, type] of Object.entries(types)) expect(m.get(name)?.type, name).toBe(type);
    expect(value(m, 'et_database_up')).toBe(1);
    // The dashboard and the alert rules in ops/ use only metrics that exist.
    for (const file of ['alerts.yml', 'grafana-dashboard.json']) {
      const used = new Set(
        (readFileSync(join(import.meta.dirname, '..', '..', 'ops', file), 'utf8').match(/et_[a-z_]+/g) ?? []).map((n) => n.replace(/_(bucket|count|sum)$/, '')),
      );
      for (const name of used) expect(m.has(name), `${file}: ${name}`).toBe(true);
    }
    expect(value(m, 'et_event_listener_up')).toBe(1);
  });

  it('moves when validations happen: by outcome, with their latency', async () => {
    const admin = await quickUser(h, 'admin');
    const nurse = await quickUser(h, 'staff');
    const [t] = await generate(h, admin, { count: 1, userId: nurse.id });
    const before = await scrape();
    expect((await h.http('POST', '/api/v1/tokens/validate', { cookie: nurse.cookie, body: { token: t!.token, reason: 'metrics' } })).status).toBe(200);
    expect((await h.http('POST', '/api/v1/tokens/validate', { cookie: nurse.cookie, body: { token: '999999', reason: 'metrics' } })).status).toBe(422);
    const after = await scrape();
    expect(value(after, 'et_validations_total', { outcome: 'success' })).toBe(value(before, 'et_validations_total', { outcome: 'success' }) + 1);
    expect(value(after, 'et_validations_total', { outcome: 'token_invalid' })).toBe(value(before, 'et_validations_total', { outcome: 'token_invalid' }) + 1);
    // The latency histogram counted it too (its _count sample).
    const observed = Number(/^et_validate_duration_seconds_count\{outcome="success"\} (\d+)$/m.exec(lastText)?.[1]);
    expect(observed).toBe(value(after, 'et_validations_total', { outcome: 'success' }));
    // The generate queued a delivery for the nurse: it waits in the outbox (nothing delivers here).
    expect(value(after, 'et_outbox_pending', { destination: 'slack' })).toBeGreaterThan(0);
    expect(value(after, 'et_outbox_oldest_pending_age_seconds', { destination: 'slack' })).toBeGreaterThanOrEqual(0);
    // Its token.used and grant.opened went out after the commit (sent right after the answer: wait, bounded).
    const sentBefore = value(before, 'et_notifications_total', { outcome: 'sent' });
    let sent = value(after, 'et_notifications_total', { outcome: 'sent' });
    for (let i = 0; i < 100 && sent < sentBefore + 2; i++) sent = value(await scrape(), 'et_notifications_total', { outcome: 'sent' });
    expect(sent).toBeGreaterThanOrEqual(sentBefore + 2);
    expect(value(after, 'et_notifications_total', { outcome: 'dropped' })).toBe(0);
  });

  it('moves when someone is locked out', async () => {
    const guesser = await quickUser(h, 'staff');
    const before = await scrape();
    for (let i = 0; i < h.config.lockout.attempts; i++)
      await h.http('POST', '/api/v1/tokens/validate', { cookie: guesser.cookie, body: { token: '000000', reason: 'guess' } });
    const after = await scrape();
    expect(value(after, 'et_lockouts_total', { scope: 'validation' })).toBe(value(before, 'et_lockouts_total', { scope: 'validation' }) + 1);
    expect(value(after, 'et_locked_out_now')).toBeGreaterThanOrEqual(1);
  });

  it('counts delivery outcomes handed in by the outbox worker', async () => {
    const before = await scrape();
    h.runtime.metrics.onDelivery(
      { destination: 'slack', kind: 'request.created' },
      { outcome: 'dead', failure: { kind: 'permanent', reason: 'not_in_channel' } },
    );
    const after = await scrape();
    expect(value(after, 'et_slack_delivery_failures_total', { destination: 'slack', class: 'permanent' })).toBe(
      value(before, 'et_slack_delivery_failures_total', { destination: 'slack', class: 'permanent' }) + 1,
    );
    expect(value(after, 'et_outbox_deliveries_total', { outcome: 'dead' })).toBe(value(before, 'et_outbox_deliveries_total', { outcome: 'dead' }) + 1);
  });
});
