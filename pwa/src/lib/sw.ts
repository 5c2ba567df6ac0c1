// Service worker registration with workbox-window: tells the app when a new version is waiting, and
// reloads once the new worker has taken over after the user agreed. A ward phone keeps the app open for
// days, so the browser's own check (on navigation) is not enough: we ask for a new version whenever the
// app comes back to the foreground and every hour while it stays open.
import type { Workbox } from 'workbox-window';

export type UpdateHandler = (apply: () => void) => void;

export const UPDATE_CHECK_INTERVAL_MS = 60 * 60_000;
/** Focus can flap (a dialog, the keyboard); one check a minute is plenty. */
const MIN_GAP_MS = 60_000;

export async function registerSW(onUpdate: UpdateHandler): Promise<void> {
  if (!('serviceWorker' in navigator) || !import.meta.env.PROD) return;
  const { Workbox } = await import('workbox-window');
  const wb: Workbox = new Workbox('/sw.js', { scope: '/' });
  wb.addEventListener('waiting', () => {
    onUpdate(() => {
      wb.addEventListener('controlling', () => window.location.reload());
      wb.messageSkipWaiting();
    });
  });
  await wb.register();
  watchForUpdates(() => wb.update());
}

/** Calls `check` when the page regains focus or becomes visible (at most once a minute) and every hour. */
export function watchForUpdates(check: () => Promise<unknown>): () => void {
  let last = Date.now();
  const run = (force = false) => {
    if (!force && Date.now() - last < MIN_GAP_MS) return;
    last = Date.now();
    // Offline or a server hiccup: the next focus or the next hour tries again.
    check().catch(() => {});
  };
  const onFocus = () => run();
  const onVisible = () => document.visibilityState === 'visible' && run();
  window.addEventListener('focus', onFocus);
  document.addEventListener('visibilitychange', onVisible);
  const timer = setInterval(() => run(true), UPDATE_CHECK_INTERVAL_MS);
  return () => {
    window.removeEventListener('focus', onFocus);
    document.removeEventListener('visibilitychange', onVisible);
    clearInterval(timer);
  };
}
