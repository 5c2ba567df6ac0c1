// "N waiting for you" on a link: the number is what the eye sees, the sentence is what a screen reader
// hears (aria-label is not allowed on a plain span).
import type { JSX } from 'preact';
import { useT } from '../lib/i18n';

export function Badge({ count, testid = 'badge' }: { count: number; testid?: string | null }): JSX.Element | null {
  const t = useT();
  if (count <= 0) return null;
  return (
    <>
      <span class="badge" data-testid={testid ?? undefined} aria-hidden="true">
        {count}
      </span>
      <span class="sr-only">{t('nav.badge', { count })}</span>
    </>
  );
}
