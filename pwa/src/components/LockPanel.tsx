// Locked out of validation: a state, not an error. What happened, when she can try again (in minutes and
// as a clock time, not two clock times), and what to do in an emergency meanwhile, the ward's own words
// when an admin has set them. The screen says the lock once when it begins (Validate's live region);
// this countdown is for the eye and is not a live region.
import type { JSX } from 'preact';
import { fmtTime, useI18n } from '../lib/i18n';

interface Props {
  until: number;
  now: number;
  escalation: string | null;
}

export function LockPanel({ until, now, escalation }: Props): JSX.Element {
  const { t, lang } = useI18n();
  // The clock ticks each second; read it now too, so the minutes shown never run a second behind. A
  // second of slack absorbs the Date header's whole seconds.
  const left = until - Math.max(now, Date.now());
  const at = fmtTime(until, lang);
  return (
    <section class="lock-panel" aria-labelledby="lock-title" data-testid="lock-panel">
      <h2 id="lock-title" tabIndex={-1}>
        {t('validate.lockedTitle')}
      </h2>
      <p>{t('validate.lockedWhy')}</p>
      <p class="lock-when" data-testid="lock-when">
        <strong>
          {left >= 60_000
            ? t('validate.lockedFor', { minutes: Math.max(1, Math.ceil((left - 1000) / 60_000)), time: at })
            : t('validate.lockedForSeconds', { time: at })}
        </strong>
      </p>
      <div class="lock-meanwhile">
        <h3>{t('validate.lockedMeanwhile')}</h3>
        <p data-testid="escalation">{escalation ?? t('validate.lockedDefault')}</p>
      </div>
    </section>
  );
}
