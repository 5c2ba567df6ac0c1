// The fetch behind every Slack Web API call the bot makes: a hard deadline for each call (respond() to a
// response_url included), and, for a call made while delivering an outbox row, one log line that names
// the row and the HTTP request that caused it (delivery/trace.ts). Only the method, the HTTP status and
// Slack's error code are logged: request and response bodies can carry token plaintext.
import type { Logger } from 'pino';
import { deliveryTrace } from './delivery/trace';

type Fetch = typeof fetch;

/** `chat.postMessage` from `https://slack.com/api/chat.postMessage`; anything else (a response_url) is not named. */
function slackMethod(url: string): string {
  const m = /\/api\/([\w.]+)(?:\?|$)/.exec(url);
  return m ? m[1]! : 'response_url';
}

/** Slack answers most failures with HTTP 200 and `{ ok: false, error }`: the code, read from a copy. */
async function slackError(res: Response): Promise<string | undefined> {
  if (!(res.headers.get('content-type') ?? '').includes('json')) return undefined;
  const body = (await res
    .clone()
    .json()
    .catch(() => null)) as { ok?: unknown; error?: unknown } | null;
  return body && body.ok === false && typeof body.error === 'string' ? body.error : undefined;
}

export function slackFetch(timeoutMs: number, log: Logger): Fetch {
  return async (input, init) => {
    const signal = init?.signal ? AbortSignal.any([init.signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs);
    const trace = deliveryTrace();
    if (!trace) return fetch(input, { ...init, signal });
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const line = { ...trace, slackMethod: slackMethod(url) };
    const started = performance.now();
    try {
      const res = await fetch(input, { ...init, signal });
      const error = res.ok ? await slackError(res) : undefined;
      log.info(
        { ...line, httpStatus: res.status, ...(error && { slackError: error }), ms: Math.round(performance.now() - started) },
        'slack call for an outbox message',
      );
      return res;
    } catch (err) {
      // No answer (timeout, connection refused): the outcome of the call is unknown.
      log.warn(
        { ...line, failure: err instanceof Error ? err.name : 'error', ms: Math.round(performance.now() - started) },
        'slack call for an outbox message got no answer',
      );
      throw err;
    }
  };
}
