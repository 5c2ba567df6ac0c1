// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { en, id } from '../../pwa/src/lib/messages';
import { adminEn, adminId } from '../../pwa/src/screens/admin/messages';
import { detectLang, fmtCountdown, rememberLang, translator } from '../../pwa/src/lib/i18n';

afterEach(() => {
  localStorage.clear();
  vi.restoreAllMocks();
});

describe('message catalogue', () => {
  it.each([
    ['core', en, id],
    ['admin console', adminEn, adminId],
  ] as Array<[string, Record<string, string>, Record<string, string>]>)(
    '%s: every key in both languages, none empty, with the same placeholders',
    (_name, enCat, idCat) => {
      expect(Object.keys(idCat).sort()).toEqual(Object.keys(enCat).sort());
      for (const k of Object.keys(enCat)) {
        expect(idCat[k]!.trim(), k).not.toBe('');
        const ph = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
        expect(ph(idCat[k]!), k).toEqual(ph(enCat[k]!));
      }
    },
  );

  it('the two halves do not overlap (one home per string)', () => {
    expect(Object.keys(adminEn).filter((k) => k in en)).toEqual([]);
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
