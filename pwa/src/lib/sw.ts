// Service worker registration with workbox-window: tells the app when a new version is waiting,
// and reloads once the new worker has taken over after the user agreed.
import type { Workbox } from 'workbox-window';

export type UpdateHandler = (apply: () => void) => void;

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
}
