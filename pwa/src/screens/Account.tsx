// My account: who I am, my language, and signing out, here or on every device at once (the phone left
// signed in on another ward, or lost).
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api } from '../lib/api';
import { errorText } from '../lib/errors';
import { useI18n } from '../lib/i18n';
import { useSession } from '../lib/session';
import { LangSwitch } from '../components/LangSwitch';
import { Link } from '../components/Link';
import { LiveRegion } from '../components/Alert';
import { useConfirm } from '../components/ConfirmDialog';

export function Account({ onSignedOutEverywhere }: { onSignedOutEverywhere: () => void }): JSX.Element {
  const { t } = useI18n();
  const { me, signOut } = useSession();
  const [dialog, ask] = useConfirm();
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    document.title = `${t('account.title')} · ${t('app.name')}`;
  }, [t]);

  const everywhere = async () => {
    const yes = await ask({
      title: t('account.everywhereConfirm'),
      body: <p>{t('account.everywhereHint')}</p>,
      confirm: t('account.everywhere'),
      danger: true,
    });
    if (!yes) return;
    try {
      await api.post('/auth/logout-everywhere', {});
      onSignedOutEverywhere();
    } catch (err) {
      setError(errorText(err, t));
    }
  };

  return (
    <main id="main" class="screen narrow">
      <h1>{t('account.title')}</h1>
      <section class="card">
        <p>
          <strong>{me.user.name}</strong> ({me.user.username})
        </p>
        <p>{t('account.role', { role: t(`role.${me.user.role}`) })}</p>
        <Link href={`/user-profile/${encodeURIComponent(me.user.id)}`}>{t('account.profile')}</Link>
      </section>
      <section class="card">
        <h2>{t('account.language')}</h2>
        <LangSwitch />
      </section>
      <section class="card">
        <h2>{t('account.signOutTitle')}</h2>
        <button type="button" class="btn btn-big btn-secondary" onClick={() => void signOut()}>
          {t('account.signOut')}
        </button>
        <p class="hint">{t('account.everywhereHint')}</p>
        <button type="button" class="btn btn-big btn-danger" onClick={() => void everywhere()} data-testid="sign-out-everywhere">
          {t('account.everywhere')}
        </button>
        <LiveRegion>{error && <p class="alert alert-error">{error}</p>}</LiveRegion>
      </section>
      {dialog}
    </main>
  );
}
