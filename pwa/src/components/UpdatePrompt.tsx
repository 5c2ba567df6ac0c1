// The "new version ready" prompt fed by workbox-window's "waiting" event.
import type { JSX } from 'preact';
import { useT } from '../lib/i18n';

export function UpdatePrompt({ onApply }: { onApply: () => void }): JSX.Element {
  const t = useT();
  return (
    <div class="update" role="status" aria-live="polite" data-testid="update-prompt">
      <span>{t('update.ready')}</span>
      <button type="button" class="btn btn-small" onClick={onApply}>
        {t('update.reload')}
      </button>
    </div>
  );
}
