// While `active`, leaving the screen (an in-app link, the back button) first asks; closing or reloading
// the page gets the browser's own prompt (lib/router.ts).
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { navigate, setLeaveGuard } from '../lib/router';
import { ConfirmDialog, type ConfirmOptions } from './ConfirmDialog';

export function LeaveGuard({ active, options }: { active: boolean; options: ConfirmOptions }): JSX.Element | null {
  const [pending, setPending] = useState<string | null>(null);
  useEffect(() => {
    if (!active) return;
    setLeaveGuard((to) => {
      setPending(to);
      return false;
    });
    return () => setLeaveGuard(null);
  }, [active]);
  if (!pending) return null;
  return (
    <ConfirmDialog
      options={options}
      onAnswer={(leave) => {
        const to = pending;
        setPending(null);
        if (!leave) return;
        setLeaveGuard(null);
        navigate(to);
      }}
    />
  );
}
