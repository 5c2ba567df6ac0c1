// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/preact';
import { UpdatePrompt } from '../../pwa/src/components/UpdatePrompt';

type Listener = () => void;
const wb = vi.hoisted(() => ({
  listeners: {} as Record<string, Listener[]>,
  registered: false,
  skipped: false,
  updates: 0,
}));

vi.mock('workbox-window', () => ({
  Workbox: class {
    constructor(readonly url: string) {}
    addEventListener(type: string, fn: Listener) {
      (wb.listeners[type] ??= []).push(fn);
    }
    messageSkipWaiting() {
      wb.skipped = true;
    }
    async register() {
      wb.registered = true;
    }
    async update() {
      wb.updates++;
    }
  },
}));

afterEach(() => {
  cleanup();
  vi.unstubAllEnvs();
  vi.useRealTimers();
});

describe('service worker registration', () => {
  it('does nothing outside a production build', async () => {
    const { registerSW } = await import('../../pwa/src/lib/sw');
    await registerSW(() => {});
    expect(wb.registered).toBe(false);
  });

  it('registers, reports a waiting version, and only skips waiting when the user agrees', async () => {
    vi.stubEnv('PROD', true);
    Object.defineProperty(navigator, 'serviceWorker', { value: {}, configurable: true });
    const { registerSW } = await import('../../pwa/src/lib/sw');
    let apply: (() => void) | null = null;
    await registerSW((fn) => (apply = fn));
    expect(wb.registered).toBe(true);
    wb.listeners.waiting?.forEach((fn) => fn());
    expect(apply).not.toBeNull();
    expect(wb.skipped).toBe(false);

    render(<UpdatePrompt onApply={apply!} />);
    expect(screen.getByRole('status').textContent).toContain('A new version of the app is ready.');
    fireEvent.click(screen.getByRole('button', { name: 'Update now' }));
    expect(wb.skipped).toBe(true);
    expect(wb.listeners.controlling).toHaveLength(1);
  });

  it('checks for a new version when the app comes back to the foreground (at most once a minute) and every hour', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    const { watchForUpdates, UPDATE_CHECK_INTERVAL_MS } = await import('../../pwa/src/lib/sw');
    const check = vi.fn(async () => {});
    const stop = watchForUpdates(check);
    // Just registered: the browser checked already.
    window.dispatchEvent(new Event('focus'));
    expect(check).toHaveBeenCalledTimes(0);
    vi.advanceTimersByTime(61_000);
    window.dispatchEvent(new Event('focus'));
    expect(check).toHaveBeenCalledTimes(1);
    window.dispatchEvent(new Event('focus'));
    expect(check).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(61_000);
    Object.defineProperty(document, 'visibilityState', { value: 'visible', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
    expect(check).toHaveBeenCalledTimes(2);
    vi.advanceTimersByTime(UPDATE_CHECK_INTERVAL_MS);
    expect(check).toHaveBeenCalledTimes(3);
    vi.advanceTimersByTime(UPDATE_CHECK_INTERVAL_MS);
    expect(check).toHaveBeenCalledTimes(4);
    // A failed check (offline) is not an error; the next one still runs.
    check.mockRejectedValueOnce(new Error('offline'));
    vi.advanceTimersByTime(UPDATE_CHECK_INTERVAL_MS);
    expect(check).toHaveBeenCalledTimes(5);
    stop();
    vi.advanceTimersByTime(UPDATE_CHECK_INTERVAL_MS * 3);
    window.dispatchEvent(new Event('focus'));
    expect(check).toHaveBeenCalledTimes(5);
  });

  it('registration wires the checks to the worker: an hour later workbox-window is asked for an update', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    vi.stubEnv('PROD', true);
    Object.defineProperty(navigator, 'serviceWorker', { value: {}, configurable: true });
    const { registerSW, UPDATE_CHECK_INTERVAL_MS } = await import('../../pwa/src/lib/sw');
    const before = wb.updates;
    await registerSW(() => {});
    vi.advanceTimersByTime(UPDATE_CHECK_INTERVAL_MS);
    expect(wb.updates).toBeGreaterThan(before);
  });
});
