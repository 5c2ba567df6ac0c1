// Turning a refusal into the sentence a Slack user sees, in their language. The domain's DomainError
// codes have their own words here (the domain's messages are English, for the API); anything else is
// logged and answered with a generic apology (no internals leak).
import type { Logger } from 'pino';
import { DomainError } from '../api/domain/errors';
import type { Texts } from './i18n';

export function explain(t: Texts, err: unknown, log: Logger, what: string): string {
  if (err instanceof DomainError) {
    const words = t.locale === 'en' ? err.message : (t.errors.code[err.code] ?? err.message);
    const details =
      err.code === 'invalid_input' && err.details
        ? ` (${Object.entries(err.details)
            .map(([k, v]) => `${k}: ${String(v)}`)
            .join('; ')})`
        : '';
    return `:no_entry: ${words}${details}`;
  }
  log.error({ err }, `slack: ${what} failed`);
  return t.errors.generic;
}

export const isDomainError = (err: unknown, ...codes: string[]): err is DomainError =>
  err instanceof DomainError && (codes.length === 0 || codes.includes(err.code));
