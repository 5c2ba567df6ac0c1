// The grant's clock: how much time is left and how urgent that is. Amber from 5 minutes, red from 1, each
// announced once per grant (and felt, where the phone can vibrate), so she is never surprised by the end.
import type { Grant } from './types';

export type GrantPhase = 'calm' | 'amber' | 'red' | 'ended';

export const AMBER_MS = 5 * 60_000;
export const RED_MS = 60_000;

export function grantPhase(remainingMs: number): GrantPhase {
  if (remainingMs <= 0) return 'ended';
  if (remainingMs <= RED_MS) return 'red';
  if (remainingMs <= AMBER_MS) return 'amber';
  return 'calm';
}

/** Milliseconds left on a grant, never more than its full length (this device's clock may lag). */
export function grantRemaining(g: Pick<Grant, 'createdAt' | 'expiresAt'>, now: number): number {
  const end = Date.parse(g.expiresAt);
  return Math.min(end - now, end - Date.parse(g.createdAt));
}

// Which phase has been announced for which grant, in this tab: a screen change must not repeat it.
const announced = new Map<string, GrantPhase>();

/** The phase to announce now, if this grant has just entered it; each phase of a grant is told once. */
export function phaseToAnnounce(grantId: string, phase: GrantPhase): 'amber' | 'red' | null {
  if (phase !== 'amber' && phase !== 'red') return null;
  const before = announced.get(grantId);
  if (before === phase || before === 'red') return null;
  announced.set(grantId, phase);
  return phase;
}

export function vibrate(pattern: number[]): void {
  try {
    navigator.vibrate?.(pattern);
  } catch {
    /* not allowed (no user gesture yet) or not supported: the colour and the announcement remain */
  }
}

/** For tests. */
export function resetAnnouncements(): void {
  announced.clear();
}
