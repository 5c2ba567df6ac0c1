// Turning a refusal into the sentence a Slack user sees. The domain's DomainError messages are written for
// people already; anything else is logged and answered with a generic apology (no internals leak).
import type { Logger } from 'pino';
import { DomainError } from '../api/domain/errors';

export function explain(err: unknown, log: Logger, what: string): string {
  if (err instanceof DomainError) {
    const details = err.code === 'invalid_input' && err.details ? ` (${Object.entries(err.details).map(([k, v]) => `${k}: ${String(v)}`).join('; ')})` : '';
    return `:no_entry: ${err.message}${details}`;
  }
  log.error({ err }, `slack: ${what} failed`);
  return ':warning: Something went wrong on our side. Try again in a moment, or use the web app.';
}

export const isDomainError = (err: unknown, ...codes: string[]): err is DomainError =>
  err instanceof DomainError && (codes.length === 0 || codes.includes(err.code));
