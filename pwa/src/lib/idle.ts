// The idle lock's clock: a touch, a key, a scroll or typing counts as use; after `minutes` without any,
// `onIdle` runs once. Checked on a timer and whenever the page comes back into view (a phone put down
// with the screen off throttles timers, so elapsed time, not timer ticks, decides).
import { useEffect, useRef } from 'preact/hooks';

const ACTIVITY = ['pointerdown', 'keydown', 'input', 'touchstart', 'wheel', 'scroll'] as const;
const CHECK_EVERY_MS = 5_000;

export function useIdleLock(minutes: number | null, onIdle: () => void): void {
  const onIdleRef = useRef(onIdle);
  onIdleRef.current = onIdle;
  useEffect(() => {
    if (!minutes || minutes <= 0) return;
    const limit = minutes * 60_000;
    let last = Date.now();
    let fired = false;
    const touch = () => {
      last = Date.now();
    };
    const check = () => {
      if (fired || Date.now() - last < limit) return;
      fired = true;
      onIdleRef.current();
    };
    const onVisible = () => document.visibilityState === 'visible' && check();
    for (const type of ACTIVITY) window.addEventListener(type, touch, { capture: true, passive: true });
    document.addEventListener('visibilitychange', onVisible);
    const timer = setInterval(check, CHECK_EVERY_MS);
    return () => {
      for (const type of ACTIVITY) window.removeEventListener(type, touch, { capture: true });
      document.removeEventListener('visibilitychange', onVisible);
      clearInterval(timer);
    };
  }, [minutes]);
}
