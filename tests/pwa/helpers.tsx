// Test helpers for PWA components: a fetch fake keyed by "METHOD /path", and providers.
import { options, type ComponentChildren } from 'preact';
import { render } from '@testing-library/preact';
import { vi } from 'vitest';
import { addMessages, I18nContext, translator, type Lang } from '../../pwa/src/lib/i18n';
import { adminEn, adminId } from '../../pwa/src/screens/admin/messages';
import { SessionContext, type Session } from '../../pwa/src/lib/session';
import type { Me } from '../../pwa/src/lib/types';

// Preact runs effects after the next frame; in these tests, right after the render (a microtask), so a
// screen's effects (its timers, its leave guard) exist as soon as it is on the page.
options.requestAnimationFrame = (cb) => queueMicrotask(cb);

// Admin screens are tested on their own, without the console that adds its words when its chunk loads.
addMessages({ en: adminEn, id: adminId });

export interface Call {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

type Static = { status?: number; body?: unknown; headers?: Record<string, string> };
type Reply = Static | ((c: Call) => Static);

/** Stubs global fetch. `routes` maps "GET /api/v1/me" (query ignored unless given) to a reply. */
export function fakeFetch(routes: Record<string, Reply | Reply[]>) {
  const calls: Call[] = [];
  const queues = new Map<string, Reply[]>();
  for (const [k, v] of Object.entries(routes)) queues.set(k, Array.isArray(v) ? [...v] : [v]);
  const fn = vi.fn(async (input: string | URL | Request, init: RequestInit = {}) => {
    const url = new URL(String(input), 'http://localhost');
    const method = (init.method ?? 'GET').toUpperCase();
    const headers = Object.fromEntries(Object.entries((init.headers ?? {}) as Record<string, string>));
    const call: Call = { method, path: url.pathname + url.search, headers, body: init.body ? JSON.parse(String(init.body)) : undefined };
    calls.push(call);
    const q = queues.get(`${method} ${url.pathname}${url.search}`) ?? queues.get(`${method} ${url.pathname}`);
    if (!q || q.length === 0) return new Response(JSON.stringify({ error: { code: 'not_found', message: 'no fake' } }), { status: 404 });
    const next = q.length > 1 ? q.shift()! : q[0]!;
    const reply = typeof next === 'function' ? next(call) : next;
    const status = reply.status ?? 200;
    return new Response(status === 204 ? null : JSON.stringify(reply.body ?? {}), {
      status,
      headers: { 'Content-Type': 'application/json', ...(reply.headers ?? {}) },
    });
  });
  vi.stubGlobal('fetch', fn);
  return { fn, calls };
}

export function makeMe(over: Partial<Me> = {}): Me {
  return {
    user: { id: 'u1', username: 'nurse', name: 'Nurse Siti', role: 'staff', slackUserId: null },
    tokens: { available: 7 },
    grant: null,
    lowTokenThreshold: 5,
    validationLock: null,
    ward: { escalationText: null, idleLockMinutes: 5 },
    ...over,
  };
}

export function renderWith(ui: ComponentChildren, opts: { me?: Me; lang?: Lang; session?: Partial<Session> } = {}) {
  const me = opts.me ?? makeMe();
  const session: Session = {
    me,
    refresh: vi.fn(async () => {}),
    patch: vi.fn(),
    signOut: vi.fn(async () => {}),
    ...opts.session,
  };
  const lang = opts.lang ?? 'en';
  const wrap = (node: ComponentChildren, s: Session, l: Lang) => (
    <I18nContext.Provider value={{ lang: l, t: translator(l), setLang: () => {} }}>
      <SessionContext.Provider value={s}>{node}</SessionContext.Provider>
    </I18nContext.Provider>
  );
  const result = render(wrap(ui, session, lang));
  return {
    ...result,
    session,
    /** Render again with a changed session (as the app does after patch() or refresh()). */
    rerenderWith(node: ComponentChildren, changes: { me?: Me; lang?: Lang } = {}) {
      Object.assign(session, changes.me ? { me: changes.me } : {});
      result.rerender(wrap(node, { ...session }, changes.lang ?? lang));
    },
  };
}

export function grant(minutesLeft = 30, over: Partial<NonNullable<Me['grant']>> = {}): NonNullable<Me['grant']> {
  const now = Date.now();
  return {
    id: 'g1',
    userId: 'u1',
    tokenId: 't1',
    reason: 'cardiac arrest bed 4',
    patientRef: 'MRN-42',
    createdAt: new Date(now).toISOString(),
    expiresAt: new Date(now + minutesLeft * 60_000).toISOString(),
    clearedAt: null,
    review: null,
    ...over,
  };
}
