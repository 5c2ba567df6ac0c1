// Time left on the grant, in the colour of its urgency: calm, amber from 5 minutes, red from the last
// one. Not a live region (it changes every second); GrantAlerts says the two moments that matter.
import type { JSX } from 'preact';
import { fmtCountdown, useT } from '../lib/i18n';
import { grantPhase, grantRemaining } from '../lib/grant';
import type { Grant } from '../lib/types';

export function GrantClock({ grant, now, compact }: { grant: Grant; now: number; compact?: boolean }): JSX.Element {
  const t = useT();
  const left = grantRemaining(grant, now);
  const phase = grantPhase(left);
  return (
    <p class={`grant-clock phase-${phase} ${compact ? 'compact' : ''}`} data-testid={compact ? 'grant-strip' : 'grant-clock'} data-phase={phase}>
      <span class="grant-clock-label">{t('grant.remaining')}</span>{' '}
      <time dateTime={grant.expiresAt} data-testid="countdown">
        {fmtCountdown(left)}
      </time>
      {phase === 'amber' && <span class="grant-clock-note">{t('grant.amber')}</span>}
      {phase === 'red' && <span class="grant-clock-note">{t('grant.red')}</span>}
    </p>
  );
}
