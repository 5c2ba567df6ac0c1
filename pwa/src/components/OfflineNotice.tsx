// Shown whenever the browser is offline: the shell works, validation does not.
import type { JSX } from 'preact';
import { useT } from '../lib/i18n';

export function OfflineNotice(): JSX.Element {
  const t = useT();
  return (
    <div class="alert alert-warning offline" role="status" aria-live="polite" data-testid="offline-notice">
      <strong>{t('offline.title')}</strong> {t('offline.body')}
    </div>
  );
}
