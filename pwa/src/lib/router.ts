// A few dozen lines of history-API routing: enough for a handful of screens, no router dependency. A
// screen holding something that would be lost (tokens shown once) can guard leaving: in-app links and
// the back button ask first (the guard decides), and closing or reloading the page gets the browser's prompt.
import { useEffect, useState } from 'preact/hooks';

const listeners = new Set<() => void>();

/** Return true to let the navigation happen; false to stop it (the guard then asks, and may navigate itself). */
export type LeaveGuard = (to: string) => boolean;
let guard: LeaveGuard | null = null;
let guardedPath: string | null = null;

export function currentPath(): string {
  return location.pathname + location.search;
}

function notify(): void {
  listeners.forEach((fn) => fn());
}

export function navigate(to: string, replace = false): void {
  if (to === currentPath()) return;
  if (guard && !guard(to)) return;
  if (replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  notify();
  if (!replace) window.scrollTo?.(0, 0);
}

/** Install (or with null, remove) the guard for the current screen. */
export function setLeaveGuard(fn: LeaveGuard | null): void {
  guard = fn;
  guardedPath = fn ? currentPath() : null;
}

function onBeforeUnload(e: BeforeUnloadEvent): void {
  if (!guard) return;
  e.preventDefault();
  e.returnValue = '';
}

if (typeof window !== 'undefined') {
  window.addEventListener('popstate', () => {
    if (guard && guardedPath && currentPath() !== guardedPath) {
      // Back (or forward) already changed the address: put it back, and let the guard decide.
      const to = currentPath();
      history.pushState(null, '', guardedPath);
      if (!guard(to)) return;
      history.replaceState(null, '', to);
    }
    notify();
  });
  window.addEventListener('beforeunload', onBeforeUnload);
}

/** The current pathname and query; re-renders on navigate() and back/forward. */
export function useLocation(): { path: string; query: URLSearchParams } {
  const [, force] = useState(0);
  useEffect(() => {
    const fn = () => force((n) => n + 1);
    listeners.add(fn);
    return () => {
      listeners.delete(fn);
    };
  }, []);
  return { path: location.pathname, query: new URLSearchParams(location.search) };
}
