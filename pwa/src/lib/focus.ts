// Where focus goes when the screen changes under her: the first field of a form she must fill (after
// signing in), or the heading of what just appeared (a new screen, a validation's result).

/** Focus the first enabled form field inside `root`, or else its first heading. */
export function focusFirstField(root: ParentNode | null = document.getElementById('main')): void {
  if (!root) return;
  const field = root.querySelector<HTMLElement>('input:not([type=hidden]):not([disabled]), textarea:not([disabled]), select:not([disabled])');
  if (field) field.focus();
  else focusHeading(root);
}

/** Focus a heading (made focusable by script only, so it is not a tab stop). */
export function focusHeading(root: ParentNode | null = document.getElementById('main'), selector = 'h1'): void {
  const h = root?.querySelector<HTMLElement>(selector);
  if (!h) return;
  if (!h.hasAttribute('tabindex')) h.setAttribute('tabindex', '-1');
  h.focus();
}
