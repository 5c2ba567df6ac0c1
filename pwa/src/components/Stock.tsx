// "You hold N tokens", with a warning and a request shortcut under the low-stock threshold.
import type { JSX } from 'preact';
import { useT } from '../lib/i18n';
import { Link } from './Link';

export function Stock({ available, threshold }: { available: number; threshold: number }): JSX.Element {
  const t = useT();
  const low = available < threshold;
  return (
    <div class={`stock ${low ? 'stock-low' : ''}`} data-testid="stock" role="status" aria-live="polite">
      <span class="stock-count">{available === 1 ? t('stock.one') : t('stock.count', { count: available })}</span>
      {low && (
        <>
          <span class="stock-warn">{t('stock.low', { threshold })}</span>{' '}
          <Link href="/tokens" class="stock-link">
            {t('stock.requestMore')}
          </Link>
        </>
      )}
    </div>
  );
}
