// Turns an ApiError into a sentence for the user, via the catalogue.
import { ApiError } from './api';
import type { T } from './i18n';

export function errorText(e: unknown, t: T): string {
  if (!(e instanceof ApiError)) return t('error.generic', { message: String(e) });
  if (e.isNetwork) return t('error.network');
  if (e.status === 403) return t('error.forbidden');
  if (e.code === 'invalid_input') return t('error.invalidInput');
  return t('error.generic', { message: e.message });
}

/** Field name -> message, from a 400 invalid_input's details (shape is loosely specified). */
export function fieldErrors(e: unknown): Record<string, string> {
  if (!(e instanceof ApiError) || e.code !== 'invalid_input') return {};
  const out: Record<string, string> = {};
  const d = e.details as Record<string, unknown>;
  const src = (d.fields ?? d) as Record<string, unknown>;
  for (const [k, v] of Object.entries(src)) {
    if (typeof v === 'string') out[k] = v;
    else if (Array.isArray(v) && typeof v[0] === 'string') out[k] = v[0];
  }
  return out;
}
