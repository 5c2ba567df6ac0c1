// Navigation in one row, whatever the width: the links that fit are shown, the rest (and any extra
// entries, such as the account menu) go behind a menu button at the end. The current screen's link is
// always among the visible ones. Widths are measured from a hidden copy of the row, so the row never
// wraps and never scrolls sideways, at 390 px or at 200 % zoom.
import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useId, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { Link } from './Link';
import { Badge } from './Badge';

export interface NavItem {
  href: string;
  label: string;
  active: boolean;
  /** Things waiting (admins' pending work), shown as a badge. */
  badge?: number;
  /** A plain count next to the label (stock). */
  count?: number;
}

interface Props {
  label: string;
  items: NavItem[];
  /** The menu button's label. */
  menuLabel: string;
  /** Entries always in the menu (after the overflowed links); `close` closes the menu. */
  extra?: (close: () => void) => ComponentChildren;
  class?: string;
}

function ItemBody({ item, twin }: { item: NavItem; twin?: boolean }): JSX.Element {
  return (
    <>
      {item.label}
      {item.count !== undefined && (
        <span class="count" data-testid={twin ? undefined : 'nav-stock'}>
          {item.count}
        </span>
      )}
      {item.badge !== undefined && <Badge count={item.badge} testid={twin ? null : 'badge'} />}
    </>
  );
}

export function OverflowNav({ label, items, menuLabel, extra, class: cls }: Props): JSX.Element {
  const row = useRef<HTMLDivElement>(null);
  const measure = useRef<HTMLUListElement>(null);
  const moreMeasure = useRef<HTMLSpanElement>(null);
  const [fit, setFit] = useState(items.length);
  const [open, setOpen] = useState(false);
  const menuId = useId();
  const key = items.map((i) => `${i.label}|${i.badge ?? ''}|${i.count ?? ''}`).join('/');

  useLayoutEffect(() => {
    const el = row.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const compute = () => {
      const list = measure.current;
      if (!list) return;
      const gap = parseFloat(getComputedStyle(list).columnGap) || 0;
      const widths = [...list.children].map((c) => c.getBoundingClientRect().width);
      const more = (moreMeasure.current?.getBoundingClientRect().width ?? 0) + gap;
      // Not laid out (hidden, or a test DOM without layout): show everything.
      if (el.clientWidth === 0) return setFit(items.length);
      const avail = el.clientWidth - 1;
      const total = widths.reduce((a, w) => a + w + gap, 0);
      if (total + (extra ? more : 0) <= avail) return setFit(items.length);
      let used = more;
      let n = 0;
      while (n < widths.length && used + widths[n]! + gap <= avail) used += widths[n++]! + gap;
      setFit(n);
    };
    compute();
    const ro = new ResizeObserver(compute);
    ro.observe(el);
    return () => ro.disconnect();
  }, [key, Boolean(extra)]);

  // Close the menu on a click elsewhere or Escape (focus back on its button).
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const onDown = (e: Event) => {
      if (!menu.current?.contains(e.target as Node) && !button.current?.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        setOpen(false);
        button.current?.focus();
      }
    };
    document.addEventListener('pointerdown', onDown);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('pointerdown', onDown);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);

  let visible = items.slice(0, fit);
  const active = items.findIndex((i) => i.active);
  if (active >= fit && fit > 0) visible = [...items.slice(0, fit - 1), items[active]!];
  const hidden = items.filter((i) => !visible.includes(i));
  const hasMenu = hidden.length > 0 || Boolean(extra);
  const hiddenBadges = hidden.reduce((n, i) => n + (i.badge ?? 0), 0);
  const close = () => setOpen(false);

  return (
    <nav class={`onerow ${cls ?? ''}`} aria-label={label}>
      <div class="onerow-row" ref={row}>
        <ul class="onerow-links">
          {visible.map((i) => (
            <li key={i.href}>
              <Link href={i.href} class={i.active ? 'active' : ''} aria-current={i.active ? 'page' : undefined}>
                <ItemBody item={i} />
              </Link>
            </li>
          ))}
        </ul>
        {hasMenu && (
          <div class="onerow-menu">
            <button
              ref={button}
              type="button"
              class="onerow-button"
              aria-expanded={open}
              aria-controls={menuId}
              onClick={() => setOpen(!open)}
              data-testid="nav-menu-button"
            >
              {menuLabel}
              {hiddenBadges > 0 && <Badge count={hiddenBadges} />}
              <span aria-hidden="true"> ▾</span>
            </button>
            <div ref={menu} id={menuId} class="menu" hidden={!open}>
              {hidden.length > 0 && (
                <ul class="menu-links">
                  {hidden.map((i) => (
                    <li key={i.href}>
                      <Link href={i.href} class={i.active ? 'active' : ''} aria-current={i.active ? 'page' : undefined} onClick={close}>
                        <ItemBody item={i} />
                      </Link>
                    </li>
                  ))}
                </ul>
              )}
              {extra && (
                // A choice in the menu (language, sign out) is made: the menu closes behind it.
                <div onClick={(e) => (e.target as Element).closest('button, a') && close()}>{extra(close)}</div>
              )}
            </div>
          </div>
        )}
      </div>
      {/* The row's twin, never shown: it gives every link's width at the current size. */}
      <div class="onerow-measure" aria-hidden="true">
        <ul class="onerow-links" ref={measure}>
          {items.map((i) => (
            <li key={i.href}>
              <span class="onerow-link">
                <ItemBody item={i} twin />
              </span>
            </li>
          ))}
        </ul>
        <span class="onerow-button" ref={moreMeasure}>
          {menuLabel}
          {items.some((i) => (i.badge ?? 0) > 0) && <span class="badge">9</span>} ▾
        </span>
      </div>
    </nav>
  );
}
