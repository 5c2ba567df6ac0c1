// A labelled form control with its error right under it (before the hint, so it stays in view above the
// on-screen keyboard) and the hint after, both wired up through aria-describedby.
import type { ComponentChildren, JSX } from 'preact';
import { useId } from 'preact/hooks';
import { useT } from '../lib/i18n';

interface Props {
  label: string;
  hint?: string | undefined;
  error?: ComponentChildren | undefined;
  /** Which kind of error, for its own look (e.g. the token outcomes). */
  errorKind?: string | undefined;
  optional?: boolean;
  class?: string;
  /** a fixed id for the control (default: generated) */
  id?: string;
  children: (a11y: { id: string; 'aria-describedby'?: string; 'aria-invalid'?: boolean }) => ComponentChildren;
}

export function Field({ label, hint, error, errorKind, optional, children, ...rest }: Props): JSX.Element {
  const t = useT();
  const generated = useId();
  const id = rest.id ?? generated;
  const hintId = hint ? `${id}-hint` : '';
  const errId = error ? `${id}-err` : '';
  const describedBy = [errId, hintId].filter(Boolean).join(' ') || undefined;
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
      {error && (
        <div class={`field-error ${errorKind ? `kind-${errorKind}` : ''}`} id={errId} data-kind={errorKind}>
          {error}
        </div>
      )}
      {hint && (
        <p class="hint" id={hintId}>
          {hint}
        </p>
      )}
    </div>
  );
}
