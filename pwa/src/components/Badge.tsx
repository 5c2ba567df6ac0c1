import type { JSX } from 'preact';
import { useT } from '../lib/i18n';

export function Badge({ count }: { count: number }): JSX.Element | null {
  const t = useT();
  if (count <= 0) return null;
  return (
    <span class="badge" data-testid="badge" aria-label={t('nav.badge', { count })}>
      {count}
    </span>
  );
}
