// Signing in with a password, for the sign-in screen and the idle lock alike: one call, one reading of
// its failures (a wrong password, the sign-in throttle with its wait, anything else in plain words).
import { api, ApiError } from './api';
import { errorText } from './errors';
import type { T } from './i18n';
import type { Me, User } from './types';

/** Open a session for `username` and return who she now is. */
export async function signIn(username: string, password: string): Promise<Me> {
  await api.post<{ user: User }>('/auth/login', { username, password }, { quiet401: true });
  return api.get<Me>('/me');
}

/** What to tell her when signing in failed; `wrong` is the screen's own words for a wrong password. */
export function signInError(err: unknown, t: T, wrong: string): string {
  if (err instanceof ApiError && err.status === 401) return wrong;
  if (err instanceof ApiError && err.status === 429) return t('login.tooMany', { minutes: Math.max(1, Math.ceil((err.retryAfter ?? 60) / 60)) });
  return errorText(err, t);
}
