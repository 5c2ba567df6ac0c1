// The emergency record form behind an active grant; blocked, with the reason, when there is none.
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../lib/api';
import { errorText } from '../lib/errors';
import { fmtCountdown, fmtTime, useI18n } from '../lib/i18n';
import { useNow } from '../lib/hooks';
import { activeGrant, endEmergencySession, grantRemaining, useSession } from '../lib/session';
import { Field } from '../components/Field';
import { Link } from '../components/Link';
import { LiveRegion } from '../components/Alert';

const LEVELS = [1, 2, 3, 4, 5];

export function Record(): JSX.Element {
  const { t, lang } = useI18n();
  const { me, patch, refresh } = useSession();
  const now = useNow(true);
  const grant = activeGrant(me, now);
  const [patientName, setPatientName] = useState('');
  const [patientRef, setPatientRef] = useState(me.grant?.patientRef ?? '');
  const [complaint, setComplaint] = useState('');
  const [triage, setTriage] = useState<number | null>(null);
  const [notes, setNotes] = useState('');
  const [errs, setErrs] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const [denied, setDenied] = useState(false);

  useEffect(() => {
    document.title = `${t('record.title')} · ${t('app.name')}`;
  }, [t]);

  if (!grant || denied) {
    const ended = me.grant && (me.grant.clearedAt ?? me.grant.expiresAt);
    return (
      <main id="main" class="screen narrow">
        <h1>{t('record.title')}</h1>
        <p class="alert alert-warning" role="alert" data-testid="record-blocked">
          {ended && !denied ? t('record.blockedEnded', { time: fmtTime(Date.parse(ended), lang) }) : t('record.blockedNone')}
        </p>
        <Link href="/validate" class="btn btn-big btn-primary">
          {t('record.goValidate')}
        </Link>
      </main>
    );
  }

  const submit = async (e: Event) => {
    e.preventDefault();
    const v: Record<string, string> = {};
    if (!patientName.trim() && !patientRef.trim()) v.patient = t('record.patientHint');
    if (complaint.trim().length < 3) v.complaint = t('record.complaintRequired');
    if (!triage) v.triage = t('record.triageRequired');
    setErrs(v);
    if (Object.keys(v).length) return;
    setBusy(true);
    setError(null);
    try {
      const body: Record<string, string | number> = { complaint: complaint.trim(), triageLevel: triage! };
      if (patientName.trim()) body.patientName = patientName.trim();
      if (patientRef.trim()) body.patientRef = patientRef.trim();
      if (notes.trim()) body.notes = notes.trim();
      await api.post('/emergency-records', body);
      setSaved(true);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'grant_required') {
        setDenied(true);
        void refresh();
      } else setError(errorText(err, t));
    } finally {
      setBusy(false);
    }
  };

  const endSession = async () => {
    try {
      await endEmergencySession({ patch, refresh });
    } catch (err) {
      setError(errorText(err, t));
    }
  };

  const again = () => {
    setSaved(false);
    setPatientName('');
    setComplaint('');
    setTriage(null);
    setNotes('');
  };

  return (
    <main id="main" class="screen narrow">
      <h1>{t('record.title')}</h1>
      <p class="grant-strip" data-testid="grant-strip">
        {t('grant.remaining')}: <time dateTime={grant.expiresAt}>{fmtCountdown(grantRemaining(grant, now))}</time>
      </p>
      {saved ? (
        <div>
          <p class="alert alert-success" role="status" data-testid="record-saved">
            {t('record.saved')}
          </p>
          <button type="button" class="btn btn-big btn-secondary" onClick={again}>
            {t('record.another')}
          </button>
          <button type="button" class="btn btn-big btn-primary" onClick={endSession}>
            {t('grant.end')}
          </button>
        </div>
      ) : (
        <form onSubmit={submit} noValidate>
          <Field label={t('record.patientName')} hint={t('record.patientHint')} error={errs.patient}>
            {(a) => <input {...a} name="patientName" maxLength={200} autoComplete="off" value={patientName} onInput={(e) => setPatientName(e.currentTarget.value)} />}
          </Field>
          <Field label={t('record.patientRef')} optional>
            {(a) => <input {...a} name="patientRef" maxLength={100} autoComplete="off" value={patientRef} onInput={(e) => setPatientRef(e.currentTarget.value)} />}
          </Field>
          <Field label={t('record.complaint')} error={errs.complaint}>
            {(a) => <textarea {...a} name="complaint" rows={3} maxLength={500} required value={complaint} onInput={(e) => setComplaint(e.currentTarget.value)} />}
          </Field>
          <fieldset class="field triage" aria-describedby="triage-hint">
            <legend>{t('record.triage')}</legend>
            <div class="segmented">
              {LEVELS.map((n) => (
                <label key={n} class={`seg triage-${n} ${triage === n ? 'checked' : ''}`}>
                  <input type="radio" name="triageLevel" value={n} checked={triage === n} onChange={() => setTriage(n)} />
                  <span>{n}</span>
                </label>
              ))}
            </div>
            <p class="hint" id="triage-hint">
              {t('record.triageHint')}
            </p>
            {errs.triage && <p class="field-error">{errs.triage}</p>}
          </fieldset>
          <Field label={t('record.notes')} optional>
            {(a) => <textarea {...a} name="notes" rows={4} maxLength={5000} value={notes} onInput={(e) => setNotes(e.currentTarget.value)} />}
          </Field>
          <LiveRegion testid="record-error">{error && <p class="alert alert-error">{error}</p>}</LiveRegion>
          <button type="submit" class="btn btn-big btn-primary" disabled={busy}>
            {t('record.submit')}
          </button>
        </form>
      )}
    </main>
  );
}
