// Reading a failed Slack call: should it be retried (and when), is it permanent (a dead letter), does it
// mean Slack no longer accepts the bot at all (stop delivering), and might the message have gone out
// anyway (a response lost after Slack acted: token plaintext must then not be sent again).
import { webApi } from '@slack/bolt';
import type { Failure } from '../api/domain/outbox';

/** Slack refuses the bot itself: nothing can be delivered until the app is reinstalled or the token fixed. */
const REVOKED = new Set(['invalid_auth', 'not_authed', 'token_revoked', 'token_expired', 'team_disabled', 'app_uninstalled', 'no_permission']);
/** Slack's own trouble: try again later. */
const TRANSIENT = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'ratelimited', 'team_added_to_org', 'timeout']);

/** The Slack error code of a failed call (`not_in_channel`), or a short name for a transport failure. */
export function slackErrorCode(err: unknown): string {
  if (err instanceof webApi.WebAPIPlatformError) return err.data.error;
  if (err instanceof webApi.WebAPIRateLimitedError) return 'ratelimited';
  if (err instanceof webApi.WebAPIHTTPError) return `http_${err.statusCode}`;
  if (err instanceof webApi.WebAPIRequestError) return isTimeout(err.original) ? 'timeout' : 'unreachable';
  return 'internal';
}

function causeCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let i = 0; i < 5 && e && typeof e === 'object'; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z]+$|^UND_ERR/.test(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

function isTimeout(err: unknown): boolean {
  const e = err as { name?: string; cause?: { name?: string } } | undefined;
  return e?.name === 'TimeoutError' || e?.name === 'AbortError' || e?.cause?.name === 'TimeoutError' || causeCode(err) === 'UND_ERR_HEADERS_TIMEOUT';
}

/** The connection was never made: Slack cannot have seen the call. */
const NEVER_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * Did Slack act on a call that failed? `not_sent` when it answered with a refusal (or never got the
 * call); `unknown` when the answer was lost (a timeout, a connection cut after the request went out,
 * a 5xx).
 */
export function sendOutcome(err: unknown): 'not_sent' | 'unknown' {
  if (err instanceof webApi.WebAPIPlatformError || err instanceof webApi.WebAPIRateLimitedError) return 'not_sent';
  if (err instanceof webApi.WebAPIHTTPError) return err.statusCode < 500 ? 'not_sent' : 'unknown';
  if (err instanceof webApi.WebAPIRequestError) {
    const code = causeCode(err.original);
    return code && NEVER_CONNECTED.has(code) ? 'not_sent' : 'unknown';
  }
  return 'not_sent';
}

/** How the outbox treats a failed Slack delivery. */
export function classifySlackError(err: unknown): Failure {
  const reason = slackErrorCode(err);
  if (err instanceof webApi.WebAPIRateLimitedError) return { kind: 'transient', reason, retryAfterSeconds: err.retryAfter };
  if (err instanceof webApi.WebAPIHTTPError)
    return err.statusCode >= 500 || err.statusCode === 429 ? { kind: 'transient', reason } : { kind: 'permanent', reason };
  if (err instanceof webApi.WebAPIRequestError) return { kind: 'transient', reason };
  if (err instanceof webApi.WebAPIPlatformError) {
    if (REVOKED.has(reason)) return { kind: 'suspend', reason };
    if (TRANSIENT.has(reason)) return { kind: 'transient', reason };
    return { kind: 'permanent', reason };
  }
  // Not Slack's answer: our own failure (the database was down, a bug); worth another try.
  return { kind: 'transient', reason };
}

export const isRevokedCode = (code: string) => REVOKED.has(code);
export const isUnreachable = (code: string) => code === 'unreachable' || code === 'timeout' || code.startsWith('http_5');
