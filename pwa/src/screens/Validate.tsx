// Home for staff: validate a token at the bedside. One big field, a reason, one big button.
// Each outcome is its own state: a wrong, used or expired token is said right under the field, which keeps
// the digits (selected, so she can correct or retype them); the lockout is a panel with its countdown and
// what to do meanwhile, shown from the failure that starts it and again after a reload (GET /me); a
// success shows the grant, with focus on it.
import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../lib/api';
import { errorText } from '../lib/errors';
import { fmtTime, useI18n } from '../lib/i18n';
import { useNow, useOnline } from '../lib/hooks';
import { activeGrant, DEFAULT_LOW_THRESHOLD, endEmergencySession, useSession } from '../lib/session';
import { discardDraft, hasContent, useDraft } from '../lib/draft';
import { focusHeading } from '../lib/focus';
import type { Grant } from '../lib/types';
import { Field } from '../components/Field';
import { LiveRegion } from '../components/Alert';
import { Stock } from '../components/Stock';
import { GrantPanel } from '../components/GrantPanel';
import { LockPanel } from '../components/LockPanel';
import { useConfirm } from '../components/ConfirmDialog';

type Miss = 'token_invalid' | 'token_used' | 'token_expired';
const MISS_KIND: Record<Miss, 'invalid' | 'used' | 'expired'> = { token_invalid: 'invalid', token_used: 'used', token_expired: 'expired' };
const FALLBACK_LOCK_MS = 15 * 60_000;

export function Validate(): JSX.Element {
  const { t, lang } = useI18n();
  const { me, patch, refresh } = useSession();
  const online = useOnline();
  const [token, setToken] = useState('');
  const [reason, setReason] = useState('');
  const [patientRef, setPatientRef] = useState('');
  const [busy, setBusy] = useState(false);
  const [miss, setMiss] = useState<{ code: Miss; attemptsLeft: number | null } | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [fieldErr, setFieldErr] = useState<{ token?: string; reason?: string }>({});
  const [ended, setEnded] = useState(false);
  const [announce, setAnnounce] = useState('');
  const [draft] = useDraft(me.user.id);
  const [dialog, ask] = useConfirm();
  const tokenRef = useRef<HTMLInputElement>(null);
  const focusAfter = useRef<'grant' | 'token' | 'lock' | null>(null);

  // The lock, as the server last told it (GET /me after a reload, or the failure that began it).
  const serverLock = me.validationLock;
  const [lockUntil, setLockUntil] = useState<number | null>(() => (serverLock ? Date.now() + serverLock.retryAfterSeconds * 1000 : null));
  useEffect(() => {
    if (serverLock) setLockUntil(Date.now() + serverLock.retryAfterSeconds * 1000);
  }, [serverLock?.lockedUntil]);

  const now = useNow(true);
  const locked = lockUntil !== null && lockUntil > now;
  const lockEnded = lockUntil !== null && lockUntil <= now;
  const grant = activeGrant(me, now);

  useEffect(() => {
    document.title = `${t('validate.title')} · ${t('app.name')}`;
  }, [t]);

  useEffect(() => {
    if (lockEnded) setAnnounce(t('validate.lockedDone'));
  }, [lockEnded]);

  // Focus follows the outcome: the grant's heading, the lock's, or the token field with its digits
  // selected; each once its element is on screen (the grant arrives with the session's next render).
  useEffect(() => {
    const want = focusAfter.current;
    if (want === 'grant' && grant && document.getElementById('grant-title')) focusHeading(document, '#grant-title');
    else if (want === 'lock' && document.getElementById('lock-title')) focusHeading(document, '#lock-title');
    else if (want === 'token' && tokenRef.current) {
      tokenRef.current.focus();
      tokenRef.current.select();
    } else return;
    focusAfter.current = null;
  });

  const startLock = (until: number) => {
    setLockUntil(until);
    setMiss(null);
    const minutes = Math.max(1, Math.round((until - Date.now()) / 60_000));
    setAnnounce(t('validate.lockedAnnounce', { minutes, time: fmtTime(until, lang) }));
    focusAfter.current = 'lock';
    // The server's own count of seconds left, independent of this phone's clock.
    void refresh();
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy || !online || locked) return;
    const errs: typeof fieldErr = {};
    if (!/^\d{4,6}$/.test(token)) errs.token = t('validate.tokenRequired');
    if (reason.trim().length < 3) errs.reason = t('validate.reasonRequired');
    setFieldErr(errs);
    setMiss(null);
    if (errs.token || errs.reason) {
      (errs.token ? tokenRef.current : document.getElementById('reason'))?.focus();
      return;
    }
    setBusy(true);
    setProblem(null);
    setEnded(false);
    setAnnounce('');
    try {
      const body: Record<string, string> = { token, reason: reason.trim() };
      if (patientRef.trim()) body.patientRef = patientRef.trim();
      const res = await api.post<{ grant: Grant }>('/tokens/validate', body);
      patch({ grant: res.grant, tokens: { available: Math.max(0, me.tokens.available - 1) } });
      setToken('');
      setReason('');
      setPatientRef('');
      setLockUntil(null);
      focusAfter.current = 'grant';
      void refresh();
    } catch (err) {
      if (err instanceof ApiError && err.status === 422 && err.code in MISS_KIND) {
        const left = typeof err.details.attemptsLeft === 'number' ? err.details.attemptsLeft : null;
        // The server's lockedUntil, moved onto this phone's clock (which may be minutes off).
        const lockedUntil =
          typeof err.details.lockedUntil === 'string' ? Date.parse(err.details.lockedUntil) - (err.serverDate ?? Date.now()) + Date.now() : NaN;
        // The failure that locks her out is already the lock: say so now, not on the next try.
        if (left === 0 || Number.isFinite(lockedUntil)) startLock(Number.isFinite(lockedUntil) ? lockedUntil : Date.now() + FALLBACK_LOCK_MS);
        else {
          setMiss({ code: err.code as Miss, attemptsLeft: left });
          focusAfter.current = 'token';
        }
      } else if (err instanceof ApiError && err.status === 429) {
        startLock(Date.now() + (err.retryAfter ?? FALLBACK_LOCK_MS / 1000) * 1000);
      } else {
        setProblem(errorText(err, t));
      }
    } finally {
      setBusy(false);
    }
  };

  const endSession = async () => {
    const keptDraft = hasContent(draft);
    const yes = await ask({
      title: t('grant.endConfirmTitle'),
      body: (
        <>
          <p>{t('grant.endConfirmBody')}</p>
          {keptDraft && <p>{t('grant.endConfirmDraft')}</p>}
        </>
      ),
      confirm: t('grant.endConfirm'),
      danger: true,
    });
    if (!yes) return;
    try {
      await endEmergencySession({ patch, refresh });
      setEnded(true);
    } catch (err) {
      setProblem(errorText(err, t));
    }
  };

  const discard = async () => {
    const yes = await ask({
      title: t('grant.discardConfirmTitle'),
      body: <p>{t('grant.discardConfirmBody')}</p>,
      confirm: t('grant.discardDraft'),
      danger: true,
    });
    if (yes) discardDraft();
  };

  let tokenError: JSX.Element | string | undefined = fieldErr.token;
  if (miss) {
    const which = { token_invalid: 'validate.invalid', token_used: 'validate.used', token_expired: 'validate.expired' } as const;
    const heading = { token_invalid: 'validate.kind.invalid', token_used: 'validate.kind.used', token_expired: 'validate.kind.expired' } as const;
    tokenError = (
      <>
        <strong class="miss-title">{t(heading[miss.code])}</strong> {t(which[miss.code])}
        {miss.attemptsLeft !== null && (
          <span class="miss-tries"> {miss.attemptsLeft === 1 ? t('validate.attemptLeft') : t('validate.attemptsLeft', { count: miss.attemptsLeft })}</span>
        )}
      </>
    );
  }

  const threshold = me.lowTokenThreshold ?? DEFAULT_LOW_THRESHOLD;
  return (
    <main id="main" class="screen narrow">
      <h1>{t('validate.title')}</h1>
      <Stock available={me.tokens.available} threshold={threshold} />
      <div class="sr-only" role="status" aria-live="assertive" aria-atomic="true" data-testid="validate-announce">
        {announce}
      </div>
      {grant ? (
        <GrantPanel grant={grant} now={now} onEnd={() => void endSession()} draft={hasContent(draft) ? draft : null} onDiscardDraft={() => void discard()} />
      ) : (
        <>
          {locked && <LockPanel until={lockUntil!} now={now} escalation={me.ward?.escalationText ?? null} />}
          {lockEnded && (
            <p class="alert alert-info" data-testid="lock-ended">
              {t('validate.lockedDone')}
            </p>
          )}
          <form onSubmit={submit} noValidate class="validate-form" data-testid="validate-form">
            {ended && (
              <p class="alert alert-info" role="status">
                {t('grant.ended')}
              </p>
            )}
            <fieldset class="plain" disabled={locked}>
              <legend class="sr-only">{t('validate.title')}</legend>
              <Field label={t('validate.token')} hint={t('validate.tokenHint')} error={tokenError} errorKind={miss ? MISS_KIND[miss.code] : undefined}>
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
                      if (miss) setMiss(null);
                      if (fieldErr.token) setFieldErr((f) => ({ ...f, token: undefined }));
                    }}
                  />
                )}
              </Field>
              <Field id="reason" label={t('validate.reason')} hint={t('validate.reasonHint')} error={fieldErr.reason}>
                {(a) => <textarea {...a} name="reason" rows={2} maxLength={500} required value={reason} onInput={(e) => setReason(e.currentTarget.value)} />}
              </Field>
              <Field label={t('validate.patientRef')} optional>
                {(a) => (
                  <input {...a} name="patientRef" maxLength={100} autoComplete="off" value={patientRef} onInput={(e) => setPatientRef(e.currentTarget.value)} />
                )}
              </Field>
            </fieldset>
            <LiveRegion testid="validate-error">{problem && <p class="alert alert-error">{problem}</p>}</LiveRegion>
            {!online && <p class="alert alert-warning">{t('validate.offline')}</p>}
            <button type="submit" class="btn btn-big btn-primary" disabled={busy || !online || locked}>
              {busy ? t('validate.submitting') : t('validate.submit')}
            </button>
          </form>
        </>
      )}
      {dialog}
    </main>
  );
}
