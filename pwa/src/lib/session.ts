// The signed-in user (GET /me), shared through context; `refresh` re-reads it after changes.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { api } from './api';
import type { Me } from './types';

export interface Session {
  me: Me;
  refresh: () => Promise<void>;
  patch: (p: Partial<Me>) => void;
  signOut: () => Promise<void>;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside a signed-in tree');
  return s;
}

export const DEFAULT_LOW_THRESHOLD = 5;

/** End my emergency access session (the seed's "clear") and show it at once; /me is re-read after. */
export async function endEmergencySession(session: Pick<Session, 'patch' | 'refresh'>): Promise<void> {
  await api.post('/emergency-session/clear', {});
  session.patch({ grant: null });
  void session.refresh();
}

export function isAdmin(me: Me): boolean {
  return me.user.role === 'admin' || me.user.role === 'super_admin';
}

/** The grant, if it is still running at `now`. */
export function activeGrant(me: Me, now: number) {
  const g = me.grant;
  if (!g || g.clearedAt) return null;
  return Date.parse(g.expiresAt) > now ? g : null;
}
