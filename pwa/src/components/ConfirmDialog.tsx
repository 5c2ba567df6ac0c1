// "Are you sure?" as a modal <dialog>: the browser traps focus and Escape cancels. The safe choice has
// focus first, so a stray tap on Enter never does the irreversible thing. useConfirm() lets a handler
// simply `await ask({...})`.
import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { useT } from '../lib/i18n';

export interface ConfirmOptions {
  title: string;
  body?: ComponentChildren;
  confirm: string;
  cancel?: string;
  danger?: boolean;
}

export function ConfirmDialog({ options, onAnswer }: { options: ConfirmOptions; onAnswer: (yes: boolean) => void }): JSX.Element {
  const t = useT();
  const ref = useRef<HTMLDialogElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const titleId = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (typeof d.showModal === 'function' && !d.open) d.showModal();
    else d.setAttribute('open', '');
    cancelRef.current?.focus();
    return () => {
      if (d.open && typeof d.close === 'function') d.close();
    };
  }, []);
  return (
    <dialog
      ref={ref}
      class="dialog"
      aria-labelledby={titleId}
      data-testid="confirm"
      onCancel={(e) => {
        e.preventDefault();
        onAnswer(false);
      }}
    >
      <h2 id={titleId}>{options.title}</h2>
      {options.body && <div class="dialog-body">{options.body}</div>}
      <div class="actions">
        <button ref={cancelRef} type="button" class="btn btn-secondary" onClick={() => onAnswer(false)}>
          {options.cancel ?? t('common.cancel')}
        </button>
        <button type="button" class={`btn ${options.danger ? 'btn-danger' : 'btn-primary'}`} onClick={() => onAnswer(true)}>
          {options.confirm}
        </button>
      </div>
    </dialog>
  );
}

/** [the dialog to render (or null), ask(options) → Promise<boolean>]. */
export function useConfirm(): [JSX.Element | null, (o: ConfirmOptions) => Promise<boolean>] {
  const [pending, setPending] = useState<{ options: ConfirmOptions; resolve: (yes: boolean) => void } | null>(null);
  const ask = (options: ConfirmOptions) =>
    new Promise<boolean>((resolve) => {
      setPending({ options, resolve });
    });
  const element = pending ? (
    <ConfirmDialog
      options={pending.options}
      onAnswer={(yes) => {
        setPending(null);
        pending.resolve(yes);
      }}
    />
  ) : null;
  return [element, ask];
}
