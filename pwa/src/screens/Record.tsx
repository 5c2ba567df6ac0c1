// The emergency record, written under an active grant. What she types is kept in memory as she types
// (lib/draft.ts), so the end of the grant, the idle lock or a trip to another screen loses nothing: when
// the grant runs out the form stays, read-only, with what happened and what to do; saving a moment too
// late says exactly that and keeps the text; the next validation offers the record back.
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../lib/api';
import { errorText } from '../lib/errors';
import { fmtTime, useI18n } from '../lib/i18n';
import { useNow } from '../lib/hooks';
import { activeGrant, endEmergencySession, useSession } from '../lib/session';
import { emptyDraft, hasContent, useDraft, type RecordDraft } from '../lib/draft';
import { Field } from '../components/Field';
import { Link } from '../components/Link';
import { LiveRegion } from '../components/Alert';
import { GrantClock } from '../components/GrantClock';
import { useConfirm } from '../components/ConfirmDialog';

const LEVELS = [1, 2, 3, 4, 5];

export function Record(): JSX.Element {
  const { t, lang } = useI18n();
  const { me, patch, refresh } = useSession();
  const now = useNow(true);
  const grant = activeGrant(me, now);
  const [stored, setStored] = useDraft(me.user.id);
  const draft: RecordDraft = stored ?? emptyDraft(me.user.id, me.grant?.patientRef ?? '');
  const [errs, setErrs] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  // The server said the grant had ended when she saved (the phone's clock may not agree yet).
  const [tooLate, setTooLate] = useState(false);
  const [dialog, ask] = useConfirm();

  useEffect(() => {
    document.title = `${t('record.title')} · ${t('app.name')}`;
  }, [t]);
  useEffect(() => {
    if (grant) setTooLate(false);
  }, [grant?.id]);

  const update = (p: Partial<RecordDraft>) => setStored({ ...draft, ...p, updatedAt: Date.now() });
  const open = Boolean(grant) && !tooLate;
  const keeping = hasContent(draft);

  if (!open && !keeping && !saved) {
    const ended = me.grant && (me.grant.clearedAt ?? me.grant.expiresAt);
    return (
      <main id="main" class="screen narrow">
        <h1>{t('record.title')}</h1>
        <p class="alert alert-warning" data-testid="record-blocked">
          {ended ? t('record.blockedEnded', { time: fmtTime(Date.parse(ended), lang) }) : t('record.blockedNone')}
        </p>
        <Link href="/validate" class="btn btn-big btn-primary">
          {t('record.goValidate')}
        </Link>
      </main>
    );
  }

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!open) return;
    const v: Record<string, string> = {};
    if (!draft.patientName.trim() && !draft.patientRef.trim()) v.patient = t('record.patientHint');
    if (draft.complaint.trim().length < 3) v.complaint = t('record.complaintRequired');
    if (!draft.triage) v.triage = t('record.triageRequired');
    setErrs(v);
    if (Object.keys(v).length) {
      document.querySelector<HTMLElement>('#main [aria-invalid="true"], #main .triage input')?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const body: Record<string, string | number> = { complaint: draft.complaint.trim(), triageLevel: draft.triage! };
      if (draft.patientName.trim()) body.patientName = draft.patientName.trim();
      if (draft.patientRef.trim()) body.patientRef = draft.patientRef.trim();
      if (draft.notes.trim()) body.notes = draft.notes.trim();
      await api.post('/emergency-records', body);
      setStored(null);
      setSaved(true);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'grant_required') {
        // Nothing was saved, and nothing is lost: the text stays, and the screen says what to do.
        setTooLate(true);
        void refresh();
      } else setError(errorText(err, t));
    } finally {
      setBusy(false);
    }
  };

  const endSession = async () => {
    const yes = await ask({ title: t('grant.endConfirmTitle'), body: <p>{t('grant.endConfirmBody')}</p>, confirm: t('grant.endConfirm'), danger: true });
    if (!yes) return;
    try {
      await endEmergencySession({ patch, refresh });
    } catch (err) {
      setError(errorText(err, t));
    }
  };

  const endedAt = me.grant ? Date.parse(me.grant.clearedAt ?? me.grant.expiresAt) : now;
  return (
    <main id="main" class="screen narrow">
      <h1>{t('record.title')}</h1>
      {open && grant && <GrantClock grant={grant} now={now} compact />}
      {!open && !saved && (
        <div class="alert alert-warning" role="alert" data-testid="record-ended">
          <p>{tooLate ? t('record.expiredOnSave') : t('record.ended', { time: fmtTime(endedAt, lang) })}</p>
          <Link href="/validate" class="btn btn-primary">
            {t('record.validateToSave')}
          </Link>
        </div>
      )}
      {saved ? (
        <div>
          <p class="alert alert-success" role="status" data-testid="record-saved">
            {t('record.saved')}
          </p>
          {open && (
            <>
              <button type="button" class="btn btn-big btn-secondary" onClick={() => setSaved(false)}>
                {t('record.another')}
              </button>
              <button type="button" class="btn btn-big btn-primary" onClick={() => void endSession()}>
                {t('grant.end')}
              </button>
            </>
          )}
        </div>
      ) : (
        <form onSubmit={submit} noValidate data-testid="record-form">
          <fieldset class="plain" disabled={!open}>
            <legend class="sr-only">{t('record.title')}</legend>
            <Field label={t('record.patientName')} hint={t('record.patientHint')} error={errs.patient}>
              {(a) => (
                <input
                  {...a}
                  name="patientName"
                  maxLength={200}
                  autoComplete="off"
                  value={draft.patientName}
                  onInput={(e) => update({ patientName: e.currentTarget.value })}
                />
              )}
            </Field>
            <Field label={t('record.patientRef')} optional>
              {(a) => (
                <input
                  {...a}
                  name="patientRef"
                  maxLength={100}
                  autoComplete="off"
                  value={draft.patientRef}
                  onInput={(e) => update({ patientRef: e.currentTarget.value })}
                />
              )}
            </Field>
            <Field label={t('record.complaint')} error={errs.complaint}>
              {(a) => (
                <textarea
                  {...a}
                  name="complaint"
                  rows={3}
                  maxLength={500}
                  required
                  value={draft.complaint}
                  onInput={(e) => update({ complaint: e.currentTarget.value })}
                />
              )}
            </Field>
            <fieldset class="field triage" aria-describedby={errs.triage ? 'triage-err triage-hint' : 'triage-hint'}>
              <legend>{t('record.triage')}</legend>
              <div class="segmented">
                {LEVELS.map((n) => (
                  <label key={n} class={`seg triage-${n} ${draft.triage === n ? 'checked' : ''}`}>
                    <input type="radio" name="triageLevel" value={n} checked={draft.triage === n} onChange={() => update({ triage: n })} />
                    <span>{n}</span>
                  </label>
                ))}
              </div>
              {errs.triage && (
                <p class="field-error" id="triage-err">
                  {errs.triage}
                </p>
              )}
              <p class="hint" id="triage-hint">
                {t('record.triageHint')}
              </p>
            </fieldset>
            <Field label={t('record.notes')} optional>
              {(a) => <textarea {...a} name="notes" rows={4} maxLength={5000} value={draft.notes} onInput={(e) => update({ notes: e.currentTarget.value })} />}
            </Field>
          </fieldset>
          <LiveRegion testid="record-error">{error && <p class="alert alert-error">{error}</p>}</LiveRegion>
          {open && (
            <button type="submit" class="btn btn-big btn-primary" disabled={busy}>
              {t('record.submit')}
            </button>
          )}
        </form>
      )}
      {dialog}
    </main>
  );
}
