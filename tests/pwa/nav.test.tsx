// @vitest-environment happy-dom
// One row of navigation at any width: what does not fit goes behind the menu button, the current
// screen's link stays in the row, and a hidden link's badge shows on the button.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, within } from '@testing-library/preact';
import { OverflowNav, type NavItem } from '../../pwa/src/components/OverflowNav';

let rowWidth = 1000;
beforeEach(() => {
  // A layout for happy-dom: each link is 100 px wide, the menu button 80 px, the row `rowWidth`.
  vi.spyOn(HTMLElement.prototype, 'clientWidth', 'get').mockImplementation(function (this: HTMLElement) {
    return this.classList.contains('onerow-row') ? rowWidth : 0;
  });
  vi.spyOn(Element.prototype, 'getBoundingClientRect').mockImplementation(function (this: Element) {
    const w = this.classList.contains('onerow-button') ? 80 : this.tagName === 'LI' ? 100 : 0;
    return { width: w, height: 44, top: 0, left: 0, right: w, bottom: 44, x: 0, y: 0, toJSON() {} } as DOMRect;
  });
  vi.stubGlobal(
    'ResizeObserver',
    class {
      observe() {}
      disconnect() {}
    },
  );
});
afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

const items = (active: number, badge = 0): NavItem[] =>
  ['Monitoring', 'Requests', 'Reviews', 'Tokens', 'Generate'].map((label, i) => ({
    href: `/admin/${i}`,
    label,
    active: i === active,
    ...(i === 4 && badge ? { badge } : {}),
  }));
const row = () => within(screen.getByRole('navigation', { name: 'Admin' }).querySelector('.onerow-row > ul') as HTMLElement);

describe('OverflowNav', () => {
  it('shows every link, and no menu button, when they fit', () => {
    rowWidth = 1000;
    render(<OverflowNav label="Admin" menuLabel="More" items={items(0)} />);
    expect(
      row()
        .getAllByRole('link')
        .map((a) => a.textContent),
    ).toEqual(['Monitoring', 'Requests', 'Reviews', 'Tokens', 'Generate']);
    expect(screen.queryByRole('button', { name: /More/ })).toBeNull();
  });

  it('puts what does not fit behind the button; the current link stays in the row', () => {
    rowWidth = 300; // 80 for the button leaves room for two links
    render(<OverflowNav label="Admin" menuLabel="More" items={items(3, 4)} />);
    expect(
      row()
        .getAllByRole('link')
        .map((a) => a.textContent),
    ).toEqual(['Monitoring', 'Tokens']);
    const button = screen.getByRole('button', { name: /More/ });
    // The hidden Generate link has 4 waiting: the button says so.
    expect(within(button).getByTestId('badge').textContent).toBe('4');
    fireEvent.click(button);
    const menu = document.getElementById(button.getAttribute('aria-controls')!)!;
    expect(
      within(menu)
        .getAllByRole('link')
        .map((a) => a.textContent),
    ).toEqual(['Requests', 'Reviews', 'Generate44 waiting for you']);
    expect(
      within(row().getByRole('link', { name: 'Tokens' }).parentElement!)
        .getByRole('link')
        .getAttribute('aria-current'),
    ).toBe('page');
  });

  it('with extra entries (the account menu) the button is always there', () => {
    rowWidth = 1000;
    render(<OverflowNav label="Admin" menuLabel="Menu" items={items(0)} extra={() => <button type="button">Sign out</button>} />);
    fireEvent.click(screen.getByRole('button', { name: /Menu/ }));
    expect(screen.getByRole('button', { name: 'Sign out' })).toBeTruthy();
  });
});
