// The app shell: language, session (GET /me), service worker prompt, offline notice, and routes.
import type { JSX } from 'preact';
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { api, ApiError, onUnauthenticated } from './lib/api';
import { detectLang, I18nContext, rememberLang, translator, type I18n, type Lang } from './lib/i18n';
import { useOnline } from './lib/hooks';
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

type State = { kind: 'loading' } | { kind: 'signedOut' } | { kind: 'offline' } | { kind: 'signedIn'; me: Me };

export function App(): JSX.Element {
  const [lang, setLang] = useState<Lang>(detectLang);
  const i18n = useMemo<I18n>(
    () => ({
      lang,
      t: translator(lang),
      setLang: (l) => {
        rememberLang(l);
        setLang(l);
      },
    }),
    [lang],
  );
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);

  const [state, setState] = useState<State>({ kind: 'loading' });
  const [applyUpdate, setApplyUpdate] = useState<(() => void) | null>(null);
  const online = useOnline();
  const { path } = useLocation();

  const loadMe = useCallback(async () => {
    try {
      const me = await api.get<Me>('/me');
      setState({ kind: 'signedIn', me });
    } catch (e) {
      if (e instanceof ApiError && e.isNetwork) setState((s) => (s.kind === 'signedIn' ? s : { kind: 'offline' }));
      else setState({ kind: 'signedOut' });
    }
  }, []);

  useEffect(() => {
    if (path !== '/login' || !new URLSearchParams(location.search).has('code')) void loadMe();
    else setState({ kind: 'signedOut' });
    const off = onUnauthenticated(() => setState({ kind: 'signedOut' }));
    registerSW((apply) => setApplyUpdate(() => apply)).catch(() => {
      /* no SW: the app still works online */
    });
    return off;
  }, [loadMe]);

  // Opened offline: try again as soon as the connection is back.
  useEffect(() => {
    if (online && state.kind === 'offline') void loadMe();
  }, [online, state.kind, loadMe]);

  const signedIn = state.kind === 'signedIn';
  useEffect(() => {
    if (signedIn) startEvents();
    else stopEvents();
  }, [signedIn]);

  const session = useMemo<Session | null>(() => {
    if (state.kind !== 'signedIn') return null;
    return {
      me: state.me,
      refresh: loadMe,
      patch: (p) => setState((s) => (s.kind === 'signedIn' ? { kind: 'signedIn', me: { ...s.me, ...p } } : s)),
      signOut: async () => {
        try {
          await api.post('/auth/logout');
        } finally {
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
  if (state.kind === 'loading') body = <p class="center muted">{i18n.t('common.loading')}</p>;
  else if (state.kind === 'offline')
    body = (
      <main id="main" class="screen">
        <button type="button" class="btn" onClick={() => void loadMe()}>
          {i18n.t('common.retry')}
        </button>
      </main>
    );
  else if (state.kind === 'signedOut' || !session) body = <Login onSignedIn={(me) => setState({ kind: 'signedIn', me })} />;
  else
    body = (
      <SessionContext.Provider value={session}>
        <Shell banners={banners} />
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
