// The green "access granted" state: countdown to the grant's end, record and End session buttons.
import type { JSX } from 'preact';
import { fmtCountdown, fmtTime, useI18n } from '../lib/i18n';
import { grantRemaining } from '../lib/session';
import type { Grant } from '../lib/types';
import { Link } from './Link';

export function GrantPanel({ grant, now, onEnd }: { grant: Grant; now: number; onEnd: () => void }): JSX.Element {
  const { t, lang } = useI18n();
  const end = Date.parse(grant.expiresAt);
  const left = grantRemaining(grant, now);
  return (
    <section class="grant" aria-labelledby="grant-title" data-testid="grant">
      <div role="status">
        <h2 id="grant-title">
          <span aria-hidden="true">✓ </span>
          {t('grant.title')}
        </h2>
      </div>
      <p class="countdown">
        <span class="muted">{t('grant.remaining')}</span>{' '}
        <time dateTime={grant.expiresAt} data-testid="countdown">
          {fmtCountdown(left)}
        </time>
        <span class="muted"> · {t('grant.until', { time: fmtTime(end, lang) })}</span>
      </p>
      <p>{t('grant.reason', { reason: grant.reason })}</p>
      {grant.patientRef && <p>{t('grant.patient', { ref: grant.patientRef })}</p>}
      <Link href="/record" class="btn btn-big btn-primary">
        {t('grant.writeRecord')}
      </Link>
      <button type="button" class="btn btn-big btn-secondary" onClick={onEnd}>
        {t('grant.end')}
      </button>
    </section>
  );
}
