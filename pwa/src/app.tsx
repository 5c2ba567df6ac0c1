// The app shell: language, session (GET /me), the idle lock, service worker prompt, offline notice, and
// routes. Every state has its <h1>, the loading and offline ones too.
import type { JSX } from 'preact';
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { api, ApiError, onUnauthenticated } from './lib/api';
import { detectLang, I18nContext, rememberLang, translator, type I18n, type Lang } from './lib/i18n';
import { useOnline } from './lib/hooks';
import { useIdleLock } from './lib/idle';
import { forgetAll } from './lib/memory';
import { navigate, useLocation } from './lib/router';
import { SessionContext, type Session } from './lib/session';
import { startEvents, stopEvents } from './lib/events';
import { registerSW } from './lib/sw';
import type { Me } from './lib/types';
import { OfflineNotice } from './components/OfflineNotice';
import { UpdatePrompt } from './components/UpdatePrompt';
import { LangSwitch } from './components/LangSwitch';
import { Login } from './screens/Login';
import { Shell } from './screens/Shell';
import { IdleLock } from './screens/IdleLock';

type State =
  { kind: 'loading' } | { kind: 'signedOut' } | { kind: 'offline' } | { kind: 'signedIn'; me: Me; justSignedIn?: boolean } | { kind: 'locked'; me: Me };

// Whose things the tab's memory holds: another person signing in on this phone never sees them.
let memoryOwner: string | null = null;
function ownMemory(userId: string): void {
  if (memoryOwner && memoryOwner !== userId) forgetAll();
  memoryOwner = userId;
}

export function App(): JSX.Element {
  const [lang, setLang] = useState<Lang>(detectLang);
  const [state, setState] = useState<State>({ kind: 'loading' });
  const signedInAs = state.kind === 'signedIn' ? state.me.user.id : null;
  const i18n = useMemo<I18n>(
    () => ({
      lang,
      t: translator(lang),
      setLang: (l) => {
        rememberLang(l);
        setLang(l);
        // Her choice is hers, not this phone's: the server keeps it, for the next device and for Slack.
        if (signedInAs)
          void api.patch('/me', { locale: l }).then(
            () => setState((s) => (s.kind === 'signedIn' && s.me.user.id === signedInAs ? { ...s, me: { ...s.me, user: { ...s.me.user, locale: l } } } : s)),
            () => {
              /* offline or refused: the choice still holds on this phone */
            },
          );
      },
    }),
    [lang, signedInAs],
  );
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);

  // Signing in (or a reload) brings the language she chose anywhere else; none chosen, this phone's stays.
  const serverLocale = state.kind === 'signedIn' ? (state.me.user.locale ?? null) : null;
  useEffect(() => {
    if (serverLocale && serverLocale !== lang) {
      rememberLang(serverLocale);
      setLang(serverLocale);
    }
  }, [serverLocale]);
  const [applyUpdate, setApplyUpdate] = useState<(() => void) | null>(null);
  const online = useOnline();
  const { path } = useLocation();

  const signedIn = (me: Me, justSignedIn = false) => {
    ownMemory(me.user.id);
    setState({ kind: 'signedIn', me, justSignedIn });
  };

  const loadMe = useCallback(async () => {
    try {
      const me = await api.get<Me>('/me');
      setState((s) => {
        if (s.kind === 'locked') return s;
        ownMemory(me.user.id);
        return { kind: 'signedIn', me };
      });
    } catch (e) {
      if (e instanceof ApiError && e.isNetwork) setState((s) => (s.kind === 'signedIn' || s.kind === 'locked' ? s : { kind: 'offline' }));
      else setState((s) => (s.kind === 'locked' ? s : { kind: 'signedOut' }));
    }
  }, []);

  useEffect(() => {
    if (path !== '/login' || !new URLSearchParams(location.search).has('code')) void loadMe();
    else setState({ kind: 'signedOut' });
    // A locked phone stays locked: the 401s its ended session gets must not show the sign-in form.
    const off = onUnauthenticated(() => setState((s) => (s.kind === 'locked' ? s : { kind: 'signedOut' })));
    registerSW((apply) => setApplyUpdate(() => apply)).catch(() => {
      /* no SW: the app still works online */
    });
    return off;
  }, [loadMe]);

  // Opened offline: try again as soon as the connection is back.
  useEffect(() => {
    if (online && state.kind === 'offline') void loadMe();
  }, [online, state.kind, loadMe]);

  const live = state.kind === 'signedIn';
  useEffect(() => {
    if (live) startEvents();
    else stopEvents();
  }, [live]);

  // Shared ward phones: after the ward's idle minutes, end the session on the server and hide everything.
  useIdleLock(state.kind === 'signedIn' ? (state.me.ward?.idleLockMinutes ?? null) : null, () => {
    setState((s) => (s.kind === 'signedIn' ? { kind: 'locked', me: s.me } : s));
    stopEvents();
    void api.post('/auth/logout', {}, { quiet401: true }).catch(() => {
      /* offline: the server's session still ends at its expiry, and this screen stays locked */
    });
  });

  const session = useMemo<Session | null>(() => {
    if (state.kind !== 'signedIn') return null;
    return {
      me: state.me,
      refresh: loadMe,
      patch: (p) => setState((s) => (s.kind === 'signedIn' ? { ...s, me: { ...s.me, ...p } } : s)),
      signOut: async () => {
        try {
          await api.post('/auth/logout');
        } finally {
          forgetAll();
          stopEvents();
          setState({ kind: 'signedOut' });
          navigate('/login', true);
        }
      },
    };
  }, [state, loadMe]);

  // Signed out anywhere but /login: go there. Signed in on /login: go home.
  useEffect(() => {
    if (state.kind === 'signedOut' && path !== '/login') {
      // Come back here after signing in (same-origin paths only).
      const back = path === '/' ? '' : `?next=${encodeURIComponent(path + location.search)}`;
      navigate(`/login${back}`, true);
    }
    if (state.kind === 'signedIn' && path === '/login') navigate('/', true);
  }, [state.kind, path]);

  const banners = (
    <>
      {(!online || state.kind === 'offline') && <OfflineNotice />}
      {applyUpdate && <UpdatePrompt onApply={applyUpdate} />}
    </>
  );

  let body: JSX.Element;
  if (state.kind === 'loading')
    body = (
      <main id="main" class="screen">
        <h1 class="sr-only">{i18n.t('app.name')}</h1>
        <p class="center muted" role="status">
          {i18n.t('common.loading')}
        </p>
      </main>
    );
  else if (state.kind === 'offline')
    body = (
      <main id="main" class="screen narrow">
        <h1>{i18n.t('offline.screenTitle')}</h1>
        <p>{i18n.t('offline.screenBody')}</p>
        <button type="button" class="btn btn-big" onClick={() => void loadMe()}>
          {i18n.t('common.retry')}
        </button>
      </main>
    );
  else if (state.kind === 'locked')
    body = (
      <IdleLock
        me={state.me}
        onUnlocked={(me) => signedIn(me)}
        onSwitchUser={() => {
          forgetAll();
          setState({ kind: 'signedOut' });
          navigate('/login', true);
        }}
      />
    );
  else if (state.kind === 'signedOut' || !session) body = <Login onSignedIn={(me) => signedIn(me, true)} />;
  else
    body = (
      <SessionContext.Provider value={session}>
        <Shell
          banners={banners}
          justSignedIn={state.justSignedIn ?? false}
          onSignedOutEverywhere={() => {
            forgetAll();
            stopEvents();
            setState({ kind: 'signedOut' });
            navigate('/login', true);
          }}
        />
      </SessionContext.Provider>
    );

  return (
    <I18nContext.Provider value={i18n}>
      <a class="skip" href="#main">
        {i18n.t('app.skip')}
      </a>
      {state.kind !== 'signedIn' && (
        <>
          <header class="topbar">
            <span class="brand">{i18n.t('app.name')}</span>
            <LangSwitch />
          </header>
          {banners}
        </>
      )}
      {body}
    </I18nContext.Provider>
  );
}
