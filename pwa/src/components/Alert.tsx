// Messages that screen readers announce: "alert" for failures (assertive), "status" otherwise.
import type { ComponentChildren, JSX } from 'preact';

interface Props {
  kind: 'error' | 'success' | 'info' | 'warning';
  children: ComponentChildren;
  testid?: string;
}

export function Alert({ kind, children, testid }: Props): JSX.Element {
  const assertive = kind === 'error';
  return (
    <div class={`alert alert-${kind}`} role={assertive ? 'alert' : 'status'} aria-live={assertive ? 'assertive' : 'polite'} data-testid={testid}>
      {children}
    </div>
  );
}

/** An always-present live region, so messages inserted later are announced. */
export function LiveRegion({ children, testid }: { children: ComponentChildren; testid?: string }): JSX.Element {
  return (
    <div aria-live="assertive" aria-atomic="true" data-testid={testid}>
      {children}
    </div>
  );
}
