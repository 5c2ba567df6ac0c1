// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/preact';
import { UpdatePrompt } from '../../pwa/src/components/UpdatePrompt';

type Listener = () => void;
const wb = vi.hoisted(() => ({
  listeners: {} as Record<string, Listener[]>,
  registered: false,
  skipped: false,
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
  },
}));

afterEach(() => {
  cleanup();
  vi.unstubAllEnvs();
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
});
