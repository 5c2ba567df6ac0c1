// Says, once per grant, "5 minutes left" and "less than a minute left: save now", wherever she is in
// the app, and vibrates where the phone can. The region exists before the text arrives, so it is heard.
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { useT } from '../lib/i18n';
import { grantPhase, grantRemaining, phaseToAnnounce, vibrate } from '../lib/grant';
import type { Grant } from '../lib/types';

export function GrantAlerts({ grant, now }: { grant: Grant | null; now: number }): JSX.Element {
  const t = useT();
  const [text, setText] = useState('');
  const phase = grant ? grantPhase(grantRemaining(grant, now)) : null;
  useEffect(() => {
    if (!grant || !phase) return;
    const say = phaseToAnnounce(grant.id, phase);
    if (say === 'amber') {
      setText(t('grant.amberAnnounce', { minutes: Math.ceil(grantRemaining(grant, Date.now()) / 60_000) }));
      vibrate([200]);
    } else if (say === 'red') {
      setText(t('grant.redAnnounce'));
      vibrate([200, 100, 200]);
    }
  }, [grant?.id, phase]);
  return (
    <div class="sr-only" role="status" aria-live="assertive" aria-atomic="true" data-testid="grant-alert">
      {grant ? text : ''}
    </div>
  );
}
