// Slack request signing (https://api.slack.com/authentication/verifying-requests-from-slack): an HMAC of
// `v0:<timestamp>:<raw body>` under the signing secret. Checked on the raw bytes, before anything is parsed
// or acted on; the timestamp window stops a captured request from being replayed later.
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Slack's own recommendation: refuse requests more than five minutes old (or from the future). */
export const SIGNATURE_WINDOW_SECONDS = 5 * 60;

export type SignatureProblem = 'missing_headers' | 'bad_timestamp' | 'stale_timestamp' | 'bad_signature';

export interface SignatureInput {
  signingSecret: string;
  rawBody: string;
  signature: string | null | undefined;
  timestamp: string | null | undefined;
  /** Seconds since the epoch; injectable for tests. */
  nowSeconds?: number;
}

export function signSlackBody(signingSecret: string, timestamp: number | string, rawBody: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`;
}

/** Returns null when the request is genuine and fresh, else what is wrong with it. */
export function checkSlackSignature(input: SignatureInput): SignatureProblem | null {
  const { signature, timestamp } = input;
  if (!signature || !timestamp) return 'missing_headers';
  if (!/^\d{1,12}$/.test(timestamp)) return 'bad_timestamp';
  const now = input.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - Number(timestamp)) > SIGNATURE_WINDOW_SECONDS) return 'stale_timestamp';
  const expected = Buffer.from(signSlackBody(input.signingSecret, timestamp, input.rawBody), 'utf8');
  const given = Buffer.from(signature, 'utf8');
  // timingSafeEqual needs equal lengths; the length of a well-formed signature is public anyway.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'bad_signature';
  return null;
}
