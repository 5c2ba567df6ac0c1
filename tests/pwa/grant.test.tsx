// @vitest-environment happy-dom
// The grant's clock: calm, amber from 5 minutes, red in the last one; each of the two moments said once
// per grant (not again after a screen change) and felt as a vibration where the phone can.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act, cleanup, render, screen } from '@testing-library/preact';
import { GrantClock } from '../../pwa/src/components/GrantClock';
import { GrantAlerts } from '../../pwa/src/components/GrantAlerts';
import { grantPhase, resetAnnouncements } from '../../pwa/src/lib/grant';
import { I18nContext, translator } from '../../pwa/src/lib/i18n';
import { useNow } from '../../pwa/src/lib/hooks';
import type { Grant } from '../../pwa/src/lib/types';
import { grant } from './helpers';

let vibrate: ReturnType<typeof vi.fn>;
beforeEach(() => {
  resetAnnouncements();
  vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] });
  vibrate = vi.fn(() => true);
  Object.defineProperty(navigator, 'vibrate', { value: vibrate, configurable: true });
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

function Clock({ g }: { g: Grant }) {
  const now = useNow(true);
  return (
    <>
      <GrantClock grant={g} now={now} />
      <GrantAlerts grant={g} now={now} />
    </>
  );
}
const show = (g: Grant, lang: 'en' | 'id' = 'en') =>
  render(
    <I18nContext.Provider value={{ lang, t: translator(lang), setLang: () => {} }}>
      <Clock g={g} />
    </I18nContext.Provider>,
  );
const phase = () => screen.getByTestId('grant-clock').getAttribute('data-phase');
const said = () => screen.getByTestId('grant-alert').textContent;

describe('grant phases', () => {
  it.each([
    [10 * 60_000, 'calm'],
    [5 * 60_000 + 1, 'calm'],
    [5 * 60_000, 'amber'],
    [60_001, 'amber'],
    [60_000, 'red'],
    [1, 'red'],
    [0, 'ended'],
  ])('%i ms left is %s', (ms, p) => expect(grantPhase(ms)).toBe(p));
});

describe('the grant clock and its warnings', () => {
  it('is calm, then amber at 5 minutes and red at 1, each said once and felt', async () => {
    show(grant(6));
    expect(phase()).toBe('calm');
    expect(said()).toBe('');
    await act(() => void vi.advanceTimersByTime(61_000));
    expect(phase()).toBe('amber');
    expect(screen.getByTestId('grant-clock').textContent).toContain('Less than 5 minutes left');
    expect(said()).toBe('5 minutes of emergency access left.');
    expect(vibrate).toHaveBeenCalledTimes(1);
    // A minute later: still amber, nothing said again.
    await act(() => void vi.advanceTimersByTime(60_000));
    expect(said()).toBe('5 minutes of emergency access left.');
    expect(vibrate).toHaveBeenCalledTimes(1);
    await act(() => void vi.advanceTimersByTime(3 * 60_000));
    expect(phase()).toBe('red');
    expect(screen.getByTestId('grant-clock').textContent).toContain('Less than a minute left: save now');
    expect(said()).toBe('Less than a minute of emergency access left. Save your record now.');
    expect(vibrate).toHaveBeenCalledTimes(2);
    expect(vibrate).toHaveBeenLastCalledWith([200, 100, 200]);
    await act(() => void vi.advanceTimersByTime(30_000));
    expect(vibrate).toHaveBeenCalledTimes(2);
  });

  it('a screen change (remount) does not say it again', async () => {
    const g = grant(3);
    show(g);
    expect(said()).toMatch(/minutes of emergency access left/);
    cleanup();
    show(g);
    expect(phase()).toBe('amber');
    expect(said()).toBe('');
    expect(vibrate).toHaveBeenCalledTimes(1);
  });

  it('a new grant is told again; the region is polite enough to interrupt (assertive) and outside the ticking clock', async () => {
    show(grant(2, { id: 'g1' }));
    cleanup();
    show(grant(2, { id: 'g2' }));
    expect(said()).toMatch(/minutes of emergency access left/);
    expect(screen.getByTestId('grant-alert').getAttribute('aria-live')).toBe('assertive');
    expect(screen.getByTestId('grant-clock').closest('[aria-live]')).toBeNull();
  });

  it('a phone without vibration still gets the colour and the words', async () => {
    Object.defineProperty(navigator, 'vibrate', { value: undefined, configurable: true });
    show(grant(0.5));
    expect(phase()).toBe('red');
    expect(said()).toMatch(/^Less than a minute/);
  });

  it('speaks Bahasa Indonesia', () => {
    show(grant(4), 'id');
    expect(said()).toBe('Sisa waktu akses darurat 4 menit.');
    expect(screen.getByTestId('grant-clock').textContent).toContain('Sisa kurang dari 5 menit');
  });
});
