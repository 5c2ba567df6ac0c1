// Load generators: autocannon for HTTP, and a same-shape closed loop for in-process calls (the SQL
// baselines), so the two are driven at the same concurrency with the same request count.
import autocannon from 'autocannon';
import { percentile, type RunResult } from './stats';

export interface HttpLoad {
  url: string;
  connections: number;
  amount: number;
  /** Called once per request, in order: returns method, path, headers and body. */
  next: () => { method: 'GET' | 'POST'; path: string; headers?: Record<string, string>; body?: string };
  /** Statuses counted as expected (others are errors). */
  expect?: (status: number) => boolean;
}

export async function httpLoad(opts: HttpLoad): Promise<RunResult> {
  let errors = 0;
  const expect = opts.expect ?? ((s: number) => s >= 200 && s < 300);
  // Throughput is counted up to the last response: autocannon notices that `amount` is reached only on
  // its one-second tick, so its own duration (and the wall time around it) includes up to a second idle.
  const started = performance.now();
  let lastResponse = started;
  // Latencies from each response event, as fractions of a millisecond and for every status answered:
  // autocannon's own histogram keeps whole milliseconds and only 2xx, too coarse for a p99 ÷ p50 at ~2 ms.
  const latencies: number[] = [];
  const tracker = autocannon({
    url: opts.url,
    connections: opts.connections,
    amount: opts.amount,
    timeout: 30,
    requests: [
      {
        setupRequest: (req: Record<string, unknown>) => {
          const r = opts.next();
          return { ...req, method: r.method, path: r.path, headers: { ...(req.headers as object), ...r.headers }, body: r.body };
        },
        onResponse: (status: number, body: string) => {
          lastResponse = performance.now();
          if (!expect(status)) {
            errors++;
            if (errors <= 3) console.error(`  unexpected ${status}: ${body.slice(0, 200)}`);
          }
        },
      },
    ],
  } as never);
  tracker.on('response', (_client, _status, _bytes, ms) => latencies.push(ms));
  const result = await tracker;
  const seconds = (lastResponse - started) / 1000;
  const r = result as unknown as { errors: number; timeouts: number };
  return {
    rps: opts.amount / seconds,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    errors: errors + r.errors + r.timeouts,
  };
}

/** Run `op` `amount` times with `concurrency` workers; per-call latency in ms. */
export async function closedLoop(concurrency: number, amount: number, op: (i: number) => Promise<unknown>): Promise<RunResult> {
  let next = 0;
  let errors = 0;
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (;;) {
        const i = next++;
        if (i >= amount) return;
        const t0 = performance.now();
        try {
          await op(i);
        } catch (err) {
          errors++;
          if (errors <= 3) console.error(`  call ${i} failed: ${err instanceof Error ? err.message : String(err)}`);
        }
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { rps: amount / seconds, p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99), errors };
}

/** Latencies of `n` sequential calls (for single-client page timings). */
export async function timeSequential(n: number, op: () => Promise<unknown>) {
  const latencies: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await op();
    latencies.push(performance.now() - t0);
  }
  return { p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99) };
}

/**
 * Latencies of `n` rounds of `a` then `b`, one call at a time: two requests timed side by side, so that
 * drift on a shared machine hits both alike (a target that is a ratio of the two then holds on a slow day).
 */
export async function timeSideBySide(n: number, a: () => Promise<unknown>, b: () => Promise<unknown>) {
  const la: number[] = [];
  const lb: number[] = [];
  for (let i = 0; i < n; i++) {
    for (const [op, into] of [
      [a, la],
      [b, lb],
    ] as const) {
      const t0 = performance.now();
      await op();
      into.push(performance.now() - t0);
    }
  }
  const summary = (xs: number[]) => ({ p50: percentile(xs, 50), p95: percentile(xs, 95), p99: percentile(xs, 99) });
  return [summary(la), summary(lb)] as const;
}

/**
 * `n` pairs of measurements, `a`'s and `b`'s back to back, the side going first alternating (`a` in the
 * first pair), so drift on a shared machine hits both sides alike; a target is then judged on the median
 * of the pairs' ratios. Each pair says which side went first.
 */
export async function inPairs<A, B>(
  n: number,
  a: (pair: number) => Promise<A>,
  b: (pair: number) => Promise<B>,
): Promise<Array<{ a: A; b: B; first: 'a' | 'b' }>> {
  const pairs: Array<{ a: A; b: B; first: 'a' | 'b' }> = [];
  for (let i = 0; i < n; i++) {
    if (i % 2 === 0) {
      const first = await a(i);
      pairs.push({ a: first, b: await b(i), first: 'a' });
    } else {
      const first = await b(i);
      pairs.push({ b: first, a: await a(i), first: 'b' });
    }
  }
  return pairs;
}

/** Newlines in a chunk of a streamed export (one per CSV or NDJSON line). */
export function countLines(chunk: Uint8Array): number {
  let n = 0;
  for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) n++;
  return n;
}

/** One bedside validation over HTTP per call, nurse after nurse, each spending one of her own codes. */
export function validateInTurn(url: string, nurses: { cookie: string; codes: string[] }[]): () => Promise<void> {
  let next = 0;
  return async () => {
    const nurse = nurses[next++ % nurses.length]!;
    const code = nurse.codes.shift();
    if (!code) throw new Error('out of tokens');
    const res = await fetch(`${url}/api/v1/tokens/validate`, {
      method: 'POST',
      headers: { cookie: nurse.cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ token: code, reason: 'bench: resuscitation', patientRef: 'MRN-1' }),
    });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`validate ${res.status}`);
  };
}

/** One validation over HTTP: a signed-in user's session cookie and the code she types. */
export interface ValidationItem {
  cookie: string;
  code: string;
}

/**
 * `POST /tokens/validate` once per item, in order, at `connections` in flight. By default 200 and 422 (a
 * wrong code) are expected; a batch of right codes only can say so (`expect`), so a refusal counts as an error.
 */
export async function validateHttp(url: string, connections: number, batch: ValidationItem[], expect = (s: number) => s === 200 || s === 422) {
  let i = 0;
  return httpLoad({
    url,
    connections,
    amount: batch.length,
    next: () => {
      const item = batch[i++ % batch.length]!;
      return {
        method: 'POST',
        path: '/api/v1/tokens/validate',
        headers: { cookie: item.cookie, 'content-type': 'application/json' },
        body: JSON.stringify({ token: item.code, reason: 'bench: resuscitation', patientRef: 'MRN-1' }),
      };
    },
    expect,
  });
}
