// The green "access granted" state: the countdown, the record, and ending the session (after asking).
// A record left unsaved when an earlier grant ended is offered back here.
import type { JSX } from 'preact';
import { fmtTime, useI18n } from '../lib/i18n';
import type { RecordDraft } from '../lib/draft';
import type { Grant } from '../lib/types';
import { GrantClock } from './GrantClock';
import { Link } from './Link';

interface Props {
  grant: Grant;
  now: number;
  onEnd: () => void;
  /** An unsaved record from before this grant, if any. */
  draft: RecordDraft | null;
  onDiscardDraft: () => void;
}

export function GrantPanel({ grant, now, onEnd, draft, onDiscardDraft }: Props): JSX.Element {
  const { t, lang } = useI18n();
  const end = Date.parse(grant.expiresAt);
  return (
    <section class="grant" aria-labelledby="grant-title" data-testid="grant">
      <h2 id="grant-title" tabIndex={-1}>
        <span aria-hidden="true">✓ </span>
        {t('grant.title')}
      </h2>
      <GrantClock grant={grant} now={now} />
      <p class="muted">{t('grant.until', { time: fmtTime(end, lang) })}</p>
      <p>{t('grant.reason', { reason: grant.reason })}</p>
      {grant.patientRef && <p>{t('grant.patient', { ref: grant.patientRef })}</p>}
      {draft ? (
        <div class="draft-offer" data-testid="draft-offer">
          <p>
            <strong>{t('grant.draftWaiting', { time: fmtTime(draft.updatedAt, lang) })}</strong>
          </p>
          <Link href="/record" class="btn btn-big btn-primary">
            {t('grant.continueDraft')}
          </Link>
          <button type="button" class="btn btn-secondary" onClick={onDiscardDraft}>
            {t('grant.discardDraft')}
          </button>
        </div>
      ) : (
        <Link href="/record" class="btn btn-big btn-primary">
          {t('grant.writeRecord')}
        </Link>
      )}
      <button type="button" class="btn btn-big btn-secondary" onClick={onEnd}>
        {t('grant.end')}
      </button>
    </section>
  );
}
