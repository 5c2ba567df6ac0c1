// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { en, id } from '../../pwa/src/lib/messages';
import { detectLang, fmtCountdown, rememberLang, translator } from '../../pwa/src/lib/i18n';

afterEach(() => {
  localStorage.clear();
  vi.restoreAllMocks();
});

describe('message catalogue', () => {
  it('has every key in both languages, none empty, with the same placeholders', () => {
    expect(Object.keys(id).sort()).toEqual(Object.keys(en).sort());
    for (const k of Object.keys(en) as (keyof typeof en)[]) {
      expect(id[k].trim(), k).not.toBe('');
      const ph = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
      expect(ph(id[k]), k).toEqual(ph(en[k]));
    }
  });

  it('interpolates parameters', () => {
    expect(translator('en')('stock.count', { count: 3 })).toBe('You hold 3 tokens');
    expect(translator('id')('stock.count', { count: 3 })).toBe('Anda memiliki 3 token');
  });

  it('picks Bahasa Indonesia from the browser, and a remembered choice wins', () => {
    vi.spyOn(navigator, 'languages', 'get').mockReturnValue(['id-ID', 'en']);
    expect(detectLang()).toBe('id');
    rememberLang('en');
    expect(detectLang()).toBe('en');
    expect(document.documentElement.lang).toBe('en');
  });

  it('defaults to English for other browsers', () => {
    vi.spyOn(navigator, 'languages', 'get').mockReturnValue(['fr-FR']);
    expect(detectLang()).toBe('en');
  });

  it('formats countdowns', () => {
    expect(fmtCountdown(30 * 60_000)).toBe('30:00');
    expect(fmtCountdown(65_000)).toBe('1:05');
    expect(fmtCountdown(-5)).toBe('0:00');
    expect(fmtCountdown(3_725_000)).toBe('1:02:05');
  });
});
