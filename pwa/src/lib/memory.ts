// What must outlive a screen change, the end of a grant or the idle lock, but never a reload and never
// storage (a ward phone is shared): the record being written, tokens just revealed or generated. Kept in
// this tab's memory only, and forgotten all at once on sign-out.
import { useEffect, useState } from 'preact/hooks';

const kept = new Map<string, unknown>();
const listeners = new Set<() => void>();

export function keep<T>(key: string, value: T | null): void {
  if (value === null) kept.delete(key);
  else kept.set(key, value);
  listeners.forEach((fn) => fn());
}

export function recall<T>(key: string): T | null {
  return (kept.get(key) as T | undefined) ?? null;
}

export function forgetAll(): void {
  kept.clear();
  listeners.forEach((fn) => fn());
}

/** A kept value as state: every component using the key sees changes made anywhere. */
export function useKept<T>(key: string): [T | null, (v: T | null) => void] {
  const [, force] = useState(0);
  useEffect(() => {
    const fn = () => force((n) => n + 1);
    listeners.add(fn);
    return () => {
      listeners.delete(fn);
    };
  }, []);
  return [recall<T>(key), (v) => keep(key, v)];
}
