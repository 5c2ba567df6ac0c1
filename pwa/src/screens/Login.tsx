// Sign in with username and password, or with the one-time link from the Slack bot (/login?code=...).
import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../lib/api';
import { errorText } from '../lib/errors';
import { useT } from '../lib/i18n';
import { navigate } from '../lib/router';
import { signIn, signInError } from '../lib/sign-in';
import type { Me, User } from '../lib/types';
import { Field } from '../components/Field';
import { LiveRegion } from '../components/Alert';

export function Login({ onSignedIn }: { onSignedIn: (me: Me) => void }): JSX.Element {
  const t = useT();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const code = new URLSearchParams(location.search).get('code');
  const [linking, setLinking] = useState(Boolean(code));
  const tried = useRef(false);

  const finish = (me: Me) => {
    const next = new URLSearchParams(location.search).get('next');
    onSignedIn(me);
    navigate(next && /^\/(?![/\\])/.test(next) ? next : '/', true);
  };

  useEffect(() => {
    if (!code || tried.current) return;
    tried.current = true;
    api
      .post<{ user: User }>('/auth/slack-link', { code }, { quiet401: true })
      .then(() => api.get<Me>('/me'))
      .then(finish)
      .catch((e: unknown) => {
        setLinking(false);
        history.replaceState(null, '', '/login');
        setError(e instanceof ApiError && e.status === 401 ? t('login.codeInvalid') : errorText(e, t));
      });
  }, [code]);

  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    setBusy(true);
    try {
      finish(await signIn(username.trim(), password));
    } catch (err) {
      setError(signInError(err, t, t('login.invalid')));
      setBusy(false);
    }
  };

  return (
    <main id="main" class="screen narrow">
      <h1>{t('login.title')}</h1>
      {linking ? (
        <p role="status">{t('login.linking')}</p>
      ) : (
        <form onSubmit={submit} noValidate>
          <Field label={t('login.username')}>
            {(a) => (
              <input
                {...a}
                name="username"
                autoComplete="username"
                autoCapitalize="none"
                required
                value={username}
                onInput={(e) => setUsername(e.currentTarget.value)}
              />
            )}
          </Field>
          <Field label={t('login.password')}>
            {(a) => (
              <input
                {...a}
                name="password"
                type="password"
                autoComplete="current-password"
                required
                value={password}
                onInput={(e) => setPassword(e.currentTarget.value)}
              />
            )}
          </Field>
          <LiveRegion testid="login-error">{error && <p class="alert alert-error">{error}</p>}</LiveRegion>
          <button type="submit" class="btn btn-big" disabled={busy || !username || !password}>
            {t('login.submit')}
          </button>
          <p class="hint">{t('login.slackHint')}</p>
        </form>
      )}
    </main>
  );
}
