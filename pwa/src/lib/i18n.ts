// Language choice (browser first, then the user's switch, remembered) and the t() lookup.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { en, id, type MessageKey } from './messages';
import { load, save } from './storage';

export type Lang = 'en' | 'id';
export type Params = Record<string, string | number>;
export type T = (key: MessageKey, params?: Params) => string;

// The admin console adds its half (screens/admin/messages.ts) when its chunk loads.
const catalogues: Record<Lang, Partial<Record<MessageKey, string>>> = { en: { ...en }, id: { ...id } };

export function addMessages(more: { en: Partial<Record<MessageKey, string>>; id: Partial<Record<MessageKey, string>> }): void {
  Object.assign(catalogues.en, more.en);
  Object.assign(catalogues.id, more.id);
}

/** Whether the catalogue (with what has loaded) has this key. */
export function hasMessage(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(catalogues.en, key);
}
const STORAGE_KEY = 'et.lang';

export function detectLang(): Lang {
  const stored = load(STORAGE_KEY);
  if (stored === 'en' || stored === 'id') return stored;
  const prefs = typeof navigator === 'undefined' ? [] : (navigator.languages ?? [navigator.language]);
  for (const l of prefs) {
    const base = l?.toLowerCase().split('-')[0];
    if (base === 'id' || base === 'in') return 'id';
    if (base === 'en') return 'en';
  }
  return 'en';
}

export function rememberLang(lang: Lang): void {
  save(STORAGE_KEY, lang);
  document.documentElement.lang = lang;
}

export function translator(lang: Lang): T {
  const cat = catalogues[lang];
  return (key, params) => {
    let s = cat[key] ?? catalogues.en[key] ?? key;
    if (params) for (const [k, v] of Object.entries(params)) s = s.split(`{${k}}`).join(String(v));
    return s;
  };
}

export interface I18n {
  lang: Lang;
  t: T;
  setLang: (l: Lang) => void;
}

export const I18nContext = createContext<I18n>({ lang: 'en', t: translator('en'), setLang: () => {} });

export function useI18n(): I18n {
  return useContext(I18nContext);
}

export function useT(): T {
  return useContext(I18nContext).t;
}

const locales: Record<Lang, string> = { en: 'en-GB', id: 'id-ID' };

export function fmtDateTime(iso: string | null | undefined, lang: Lang): string {
  if (!iso) return '–';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '–';
  return d.toLocaleString(locales[lang], { dateStyle: 'medium', timeStyle: 'short' });
}

export function fmtTime(ms: number, lang: Lang): string {
  return new Date(ms).toLocaleTimeString(locales[lang], { hour: '2-digit', minute: '2-digit' });
}

/** 1:05 style countdown (or h:mm:ss past an hour). */
export function fmtCountdown(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = h ? String(m).padStart(2, '0') : String(m);
  return `${h ? `${h}:` : ''}${mm}:${String(s).padStart(2, '0')}`;
}
