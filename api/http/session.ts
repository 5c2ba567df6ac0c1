// Session cookies: who is signed in on each request, and the cookie's attributes in one place.
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { userForSession } from '../domain/auth';
import type { Actor } from '../domain/context';
import { fail } from '../domain/errors';
import type { AppEnv } from './env';

export const SESSION_COOKIE = 'et_session';

export const loadSession: MiddlewareHandler<AppEnv> = async (c, next) => {
  const secret = getCookie(c, SESSION_COOKIE);
  c.set('sessionSecret', secret ?? null);
  c.set('user', secret && secret.length <= 100 ? await userForSession(c.get('ctx'), secret) : null);
  await next();
};

/** The signed-in caller as a domain actor; anonymous callers get 401. */
export function actorOf(c: Context<AppEnv>): Actor {
  const user = c.get('user');
  if (!user) return fail('unauthenticated', 'Sign in first.');
  return { id: user.id, role: user.role, ip: c.get('ip') };
}

export function setSessionCookie(c: Context<AppEnv>, secret: string, expiresAt: Date) {
  setCookie(c, SESSION_COOKIE, secret, {
    httpOnly: true,
    sameSite: 'Lax',
    secure: c.get('ctx').config.publicUrl.startsWith('https:'),
    path: '/',
    expires: expiresAt,
  });
}

export function clearSessionCookie(c: Context<AppEnv>) {
  deleteCookie(c, SESSION_COOKIE, { path: '/' });
}
