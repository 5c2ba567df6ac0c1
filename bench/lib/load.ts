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
  const result = await autocannon({
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
  const seconds = (lastResponse - started) / 1000;
  const r = result as unknown as { latency: { p50: number; p97_5: number; p99: number; p90: number }; errors: number; timeouts: number };
  return {
    rps: opts.amount / seconds,
    p50: r.latency.p50,
    p95: r.latency.p90 + (r.latency.p97_5 - r.latency.p90) * (5 / 7.5),
    p99: r.latency.p99,
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
