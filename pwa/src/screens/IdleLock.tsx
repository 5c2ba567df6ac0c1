// The idle lock of a shared ward phone: everything is hidden and the session has been ended on the
// server (nothing on screen can be used or read by whoever picks the phone up). Her password opens a new
// session and she is back where she was, with her unsaved record and unconfirmed tokens still in memory.
// Someone else signs out instead, which forgets them.
import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { signIn, signInError } from '../lib/sign-in';
import { useT } from '../lib/i18n';
import type { Me } from '../lib/types';
import { Field } from '../components/Field';
import { LiveRegion } from '../components/Alert';

interface Props {
  me: Me;
  onUnlocked: (me: Me) => void;
  onSwitchUser: () => void;
}

export function IdleLock({ me, onUnlocked, onSwitchUser }: Props): JSX.Element {
  const t = useT();
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    document.title = `${t('idle.title')} · ${t('app.name')}`;
    heading.current?.focus();
  }, []);

  const unlock = async (e: Event) => {
    e.preventDefault();
    if (!password) return;
    setBusy(true);
    setError(null);
    try {
      onUnlocked(await signIn(me.user.username, password));
    } catch (err) {
      setPassword('');
      setError(signInError(err, t, t('idle.wrong')));
      setBusy(false);
    }
  };

  return (
    <main id="main" class="screen narrow idle-lock" data-testid="idle-lock">
      <h1 ref={heading} tabIndex={-1}>
        {t('idle.title')}
      </h1>
      <p>{t('idle.body', { minutes: me.ward?.idleLockMinutes ?? 5, name: me.user.name })}</p>
      <form onSubmit={unlock} noValidate>
        <Field label={t('login.password')} error={error ?? undefined}>
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
        <LiveRegion testid="unlock-error">{error && <span class="sr-only">{error}</span>}</LiveRegion>
        <button type="submit" class="btn btn-big btn-primary" disabled={busy || !password}>
          {t('idle.unlock')}
        </button>
      </form>
      <p class="hint">{t('idle.slackHint')}</p>
      <button type="button" class="btn btn-secondary" onClick={onSwitchUser} data-testid="switch-user">
        {t('idle.switch', { name: me.user.name })}
      </button>
    </main>
  );
}
