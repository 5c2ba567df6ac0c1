// Ward settings: what a nurse locked out of validation is told to do meanwhile, and how long a shared
// phone may sit idle before the app locks. Changes are audited on the server (settings.updated).
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api } from '../../lib/api';
import { errorText, fieldErrors } from '../../lib/errors';
import { useT } from '../../lib/i18n';
import { useSession } from '../../lib/session';
import type { WardSettings } from '../../lib/types';
import { Field } from '../../components/Field';
import { NoticeBar, type Notice, useTitle } from './shared';

export function Settings(): JSX.Element {
  const t = useT();
  useTitle(`${t('settings.title')} · ${t('app.name')}`);
  const { refresh } = useSession();
  const [escalation, setEscalation] = useState('');
  const [idle, setIdle] = useState('5');
  const [loaded, setLoaded] = useState(false);
  const [busy, setBusy] = useState(false);
  const [errs, setErrs] = useState<Record<string, string>>({});
  const [notice, setNotice] = useState<Notice | null>(null);

  useEffect(() => {
    api.get<{ settings: WardSettings }>('/settings').then(
      ({ settings }) => {
        setEscalation(settings.escalationText ?? '');
        setIdle(String(settings.idleLockMinutes));
        setLoaded(true);
      },
      (e: unknown) => setNotice({ kind: 'error', text: errorText(e, t) }),
    );
  }, []);

  const save = async (e: Event) => {
    e.preventDefault();
    const minutes = Number(idle);
    if (!Number.isInteger(minutes) || minutes < 1 || minutes > 60) {
      setErrs({ idleLockMinutes: t('settings.idleRange') });
      return;
    }
    setErrs({});
    setBusy(true);
    try {
      const { settings } = await api.patch<{ settings: WardSettings }>('/settings', { escalationText: escalation, idleLockMinutes: minutes });
      setEscalation(settings.escalationText ?? '');
      setIdle(String(settings.idleLockMinutes));
      setNotice({ kind: 'success', text: t('settings.saved') });
      void refresh();
    } catch (err) {
      setErrs(fieldErrors(err));
      setNotice({ kind: 'error', text: errorText(err, t) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" class="screen narrow">
      <h1>{t('settings.title')}</h1>
      <form onSubmit={save} noValidate>
        <Field label={t('settings.escalation')} hint={t('settings.escalationHint')} optional error={errs.escalationText}>
          {(a) => (
            <textarea
              {...a}
              name="escalationText"
              rows={3}
              maxLength={300}
              value={escalation}
              disabled={!loaded}
              onInput={(e) => setEscalation(e.currentTarget.value)}
            />
          )}
        </Field>
        <Field label={t('settings.idle')} hint={t('settings.idleHint')} error={errs.idleLockMinutes}>
          {(a) => (
            <input
              {...a}
              name="idleLockMinutes"
              type="number"
              inputMode="numeric"
              min={1}
              max={60}
              value={idle}
              disabled={!loaded}
              onInput={(e) => setIdle(e.currentTarget.value)}
            />
          )}
        </Field>
        <NoticeBar notice={notice} testid="settings-msg" />
        <button type="submit" class="btn btn-big btn-primary" disabled={busy || !loaded}>
          {t('common.save')}
        </button>
      </form>
    </main>
  );
}
