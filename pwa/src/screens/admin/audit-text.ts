// Audit events in words, in either language, from the one catalogue (./messages.ts): an action's name
// ("Token validation", not `token.validated`), each detail's label ("Tries left", not `attemptsLeft`) and
// value (a date as a date, a code as what it means, a user id as the user's name). Keys the catalogue
// does not know yet still read as words ("someNewKey" → "Some new key"), never as raw JSON.
import { fmtDateTime, hasMessage as has, type Lang, type T } from '../../lib/i18n';

/** "attemptsLeft" → "Attempts left"; "token.revoked" → "Token revoked". */
export function humanize(key: string): string {
  const words = key
    .replace(/[._-]+/g, ' ')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function actionName(action: string, t: T): string {
  const key = `action.${action}`;
  return has(key) ? t(key) : humanize(action);
}

export function detailLabel(key: string, t: T): string {
  const k = `detail.${key}`;
  return has(k) ? t(k) : humanize(key);
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface ValueContext {
  t: T;
  lang: Lang;
  /** A user's display name for an id, if known. */
  userName?: (id: string) => string | null;
}

/** One detail's value in words. */
export function detailValue(key: string, value: unknown, ctx: ValueContext): string {
  const { t, lang } = ctx;
  if (value === null || value === undefined || value === '') return '–';
  if (typeof value === 'boolean') return value ? t('common.yes') : t('common.no');
  if (Array.isArray(value)) return value.map((v) => (key === 'changed' && typeof v === 'string' ? detailLabel(v, t) : detailValue(key, v, ctx))).join(', ');
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${detailLabel(k, t)}: ${detailValue(k, v, ctx)}`)
      .join('; ');
  }
  const s = String(value);
  if (typeof value === 'string') {
    if (ISO.test(s)) return fmtDateTime(s, lang);
    if (UUID.test(s)) return ctx.userName?.(s) ?? s.slice(0, 8);
    // Enumerated values: their own words where the catalogue has them.
    const enumKey =
      key === 'previousRole'
        ? `role.${s}`
        : key === 'role'
          ? `role.${s}`
          : key === 'verdict'
            ? `rev.verdict.${s}`
            : key === 'outcome'
              ? `audit.${s}`
              : key === 'tokenStatus'
                ? `status.${s}`
                : key === 'action'
                  ? `action.${s}`
                  : `value.${key}.${s}`;
    if (has(enumKey)) return t(enumKey);
  }
  return s;
}

export interface DetailLine {
  key: string;
  label: string;
  value: string;
}

/** Every detail of an event as label and value, in the catalogue's words. */
export function detailLines(details: Record<string, unknown> | null | undefined, ctx: ValueContext): DetailLine[] {
  if (!details) return [];
  return Object.entries(details)
    .filter(([, v]) => v !== null && v !== undefined && v !== '')
    .map(([key, v]) => ({ key, label: detailLabel(key, ctx.t), value: detailValue(key, v, ctx) }));
}
