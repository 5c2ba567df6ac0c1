// A labelled form control with hint and error text wired up through aria-describedby.
import type { ComponentChildren, JSX } from 'preact';
import { useId } from 'preact/hooks';
import { useT } from '../lib/i18n';

interface Props {
  label: string;
  hint?: string | undefined;
  error?: string | undefined;
  optional?: boolean;
  class?: string;
  /** a fixed id for the control (default: generated) */
  id?: string;
  children: (a11y: { id: string; 'aria-describedby'?: string; 'aria-invalid'?: boolean }) => ComponentChildren;
}

export function Field({ label, hint, error, optional, children, ...rest }: Props): JSX.Element {
  const t = useT();
  const generated = useId();
  const id = rest.id ?? generated;
  const hintId = hint ? `${id}-hint` : '';
  const errId = error ? `${id}-err` : '';
  const describedBy = [hintId, errId].filter(Boolean).join(' ') || undefined;
  const a11y: { id: string; 'aria-describedby'?: string; 'aria-invalid'?: boolean } = { id };
  if (describedBy) a11y['aria-describedby'] = describedBy;
  if (error) a11y['aria-invalid'] = true;
  return (
    <div class={`field ${rest.class ?? ''}`}>
      <label for={id}>
        {label}
        {optional && <span class="muted"> {t('common.optional')}</span>}
      </label>
      {children(a11y)}
      {hint && (
        <p class="hint" id={hintId}>
          {hint}
        </p>
      )}
      {error && (
        <p class="field-error" id={errId}>
          {error}
        </p>
      )}
    </div>
  );
}
