import type { JSX } from 'preact';
import { useT } from '../lib/i18n';
import type { MessageKey } from '../lib/messages';

export function StatusTag({ status }: { status: string }): JSX.Element {
  const t = useT();
  const key = `status.${status}` as MessageKey;
  return (
    <span class={`tag tag-${status}`} data-status={status}>
      {t(key)}
    </span>
  );
}
