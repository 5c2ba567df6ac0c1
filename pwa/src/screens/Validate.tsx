// Home for staff: validate a token at the bedside. One big field, a reason, one big button.
// A success shows the grant's countdown; a failure says which, tries left, and lockout end.
import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../lib/api';
import { errorText } from '../lib/errors';
import { fmtCountdown, fmtTime, useI18n } from '../lib/i18n';
import { useNow, useOnline } from '../lib/hooks';
import { activeGrant, DEFAULT_LOW_THRESHOLD, endEmergencySession, useSession } from '../lib/session';
import type { Grant } from '../lib/types';
import { Field } from '../components/Field';
import { LiveRegion } from '../components/Alert';
import { Stock } from '../components/Stock';
import { GrantPanel } from '../components/GrantPanel';

type Failure =
  | { kind: 'token_invalid' | 'token_used' | 'token_expired'; attemptsLeft: number | null }
  | { kind: 'locked'; until: number }
  | { kind: 'other'; text: string };

export function Validate(): JSX.Element {
  const { t, lang } = useI18n();
  const { me, patch, refresh } = useSession();
  const online = useOnline();
  const [token, setToken] = useState('');
  const [reason, setReason] = useState('');
  const [patientRef, setPatientRef] = useState('');
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<Failure | null>(null);
  const [fieldErr, setFieldErr] = useState<{ token?: string; reason?: string }>({});
  const [ended, setEnded] = useState(false);
  const tokenRef = useRef<HTMLInputElement>(null);

  const locked = failure?.kind === 'locked';
  const now = useNow(true);
  const grant = activeGrant(me, now);
  const lockRemaining = locked ? failure.until - Math.max(now, Date.now()) : 0;

  useEffect(() => {
    document.title = `${t('validate.title')} · ${t('app.name')}`;
  }, [t]);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy || !online) return;
    const errs: typeof fieldErr = {};
    if (!/^\d{4,6}$/.test(token)) errs.token = t('validate.tokenRequired');
    if (reason.trim().length < 3) errs.reason = t('validate.reasonRequired');
    setFieldErr(errs);
    if (errs.token || errs.reason) {
      (errs.token ? tokenRef.current : document.getElementById('reason'))?.focus();
      return;
    }
    setBusy(true);
    setFailure(null);
    setEnded(false);
    try {
      const body: Record<string, string> = { token, reason: reason.trim() };
      if (patientRef.trim()) body.patientRef = patientRef.trim();
      const res = await api.post<{ grant: Grant }>('/tokens/validate', body);
      patch({ grant: res.grant, tokens: { available: Math.max(0, me.tokens.available - 1) } });
      setToken('');
      setReason('');
      setPatientRef('');
      void refresh();
    } catch (err) {
      if (err instanceof ApiError && err.status === 422 && /^token_(invalid|used|expired)$/.test(err.code)) {
        const left = err.details.attemptsLeft;
        setFailure({ kind: err.code as 'token_invalid', attemptsLeft: typeof left === 'number' ? left : null });
      } else if (err instanceof ApiError && err.status === 429) {
        setFailure({ kind: 'locked', until: Date.now() + (err.retryAfter ?? 15 * 60) * 1000 });
      } else {
        setFailure({ kind: 'other', text: errorText(err, t) });
      }
      setToken('');
      tokenRef.current?.focus();
    } finally {
      setBusy(false);
    }
  };

  const endSession = async () => {
    try {
      await endEmergencySession({ patch, refresh });
      setEnded(true);
    } catch (err) {
      setFailure({ kind: 'other', text: errorText(err, t) });
    }
  };

  let failureText: string | null = null;
  if (failure) {
    if (failure.kind === 'locked')
      failureText =
        lockRemaining > 0
          ? t('validate.locked', { time: fmtTime(failure.until, lang), remaining: fmtCountdown(lockRemaining) })
          : t('validate.lockedDone');
    else if (failure.kind === 'other') failureText = failure.text;
    else {
      const which = { token_invalid: 'validate.invalid', token_used: 'validate.used', token_expired: 'validate.expired' } as const;
      failureText = t(which[failure.kind]);
      if (failure.attemptsLeft !== null)
        failureText += ' ' + (failure.attemptsLeft === 1 ? t('validate.attemptLeft') : t('validate.attemptsLeft', { count: failure.attemptsLeft }));
    }
  }

  const threshold = me.lowTokenThreshold ?? DEFAULT_LOW_THRESHOLD;
  return (
    <main id="main" class="screen narrow">
      <h1>{t('validate.title')}</h1>
      <Stock available={me.tokens.available} threshold={threshold} />
      {grant ? (
        <GrantPanel grant={grant} now={now} onEnd={endSession} />
      ) : (
        <form onSubmit={submit} noValidate class="validate-form">
          {ended && (
            <p class="alert alert-info" role="status">
              {t('grant.ended')}
            </p>
          )}
          <Field label={t('validate.token')} hint={t('validate.tokenHint')} error={fieldErr.token}>
            {(a) => (
              <input
                {...a}
                ref={tokenRef}
                name="token"
                class="token-input"
                type="text"
                inputMode="numeric"
                pattern="[0-9]*"
                autoComplete="one-time-code"
                maxLength={6}
                required
                value={token}
                onInput={(e) => {
                  const v = e.currentTarget.value.replace(/\D/g, '').slice(0, 6);
                  e.currentTarget.value = v;
                  setToken(v);
                }}
              />
            )}
          </Field>
          <Field id="reason" label={t('validate.reason')} hint={t('validate.reasonHint')} error={fieldErr.reason}>
            {(a) => <textarea {...a} name="reason" rows={2} maxLength={500} required value={reason} onInput={(e) => setReason(e.currentTarget.value)} />}
          </Field>
          <Field label={t('validate.patientRef')} optional>
            {(a) => <input {...a} name="patientRef" maxLength={100} autoComplete="off" value={patientRef} onInput={(e) => setPatientRef(e.currentTarget.value)} />}
          </Field>
          <LiveRegion testid="validate-error">
            {failureText && (
              <p class={`alert ${failure?.kind === 'locked' && lockRemaining <= 0 ? 'alert-info' : 'alert-error'}`} data-kind={failure?.kind}>
                {failureText}
              </p>
            )}
          </LiveRegion>
          {!online && <p class="alert alert-warning">{t('validate.offline')}</p>}
          <button type="submit" class="btn btn-big btn-primary" disabled={busy || !online || (locked && lockRemaining > 0)}>
            {busy ? t('validate.submitting') : t('validate.submit')}
          </button>
        </form>
      )}
    </main>
  );
}
