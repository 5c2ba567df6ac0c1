// Helpers shared by the admin screens: the user directory (names for ids), a user picker, audit details
// in words, lists that turn into cards on a phone, filters behind a button, and "done, undo?" notices.
import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useId, useState } from 'preact/hooks';
import { api } from '../../lib/api';
import { detailLines } from './audit-text';
import { useI18n, useT } from '../../lib/i18n';
import type { Page, User } from '../../lib/types';
import { Link } from '../../components/Link';

let cache: Promise<User[]> | null = null;

export function invalidateUsers(): void {
  cache = null;
}

async function fetchAll(): Promise<User[]> {
  const out: User[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 10; i++) {
    const page: Page<User> = await api.get<Page<User>>('/users', { limit: 200, cursor });
    out.push(...page.items);
    cursor = page.nextCursor;
    if (!cursor) break;
  }
  return out;
}

export function useUsers(): User[] {
  const [users, setUsers] = useState<User[]>([]);
  useEffect(() => {
    if (!cache)
      cache = fetchAll().catch((e: unknown) => {
        cache = null;
        throw e;
      });
    let live = true;
    cache.then(
      (u) => live && setUsers(u),
      () => {},
    );
    return () => {
      live = false;
    };
  }, []);
  return users;
}

export function userName(users: User[], id: string | null | undefined): string {
  if (!id) return '–';
  const u = users.find((x) => x.id === id);
  return u ? u.name || u.username : id.slice(0, 8);
}

export function UserLink({ users, id }: { users: User[]; id: string | null | undefined }): JSX.Element {
  if (!id) return <span>–</span>;
  return <Link href={`/admin/user-profile/${encodeURIComponent(id)}`}>{userName(users, id)}</Link>;
}

export function UserSelect(props: {
  users: User[];
  value: string;
  onChange: (v: string) => void;
  a11y: Record<string, unknown>;
  allLabel?: string;
  name?: string;
}): JSX.Element {
  const t = useT();
  return (
    <select {...props.a11y} name={props.name ?? 'userId'} value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)}>
      <option value="">{props.allLabel ?? t('common.all')}</option>
      {props.users.map((u) => (
        <option key={u.id} value={u.id}>
          {u.name || u.username} ({u.username})
        </option>
      ))}
    </select>
  );
}

/** An audit event's details, each with its label and value in words (./audit-text.ts). */
export function Details({ value, users }: { value: Record<string, unknown> | null; users?: User[] }): JSX.Element | null {
  const { t, lang } = useI18n();
  const lines = detailLines(value, { t, lang, userName: (id) => (users ? userNameOrNull(users, id) : null) });
  if (lines.length === 0) return null;
  return (
    <dl class="details">
      {lines.map((l) => (
        <div key={l.key}>
          <dt>{l.label}</dt>
          <dd>{l.value}</dd>
        </div>
      ))}
    </dl>
  );
}

function userNameOrNull(users: User[], id: string): string | null {
  const u = users.find((x) => x.id === id);
  return u ? u.name || u.username : null;
}

/** True below the width where lists become cards (a phone, or a desktop at 200 % zoom). */
export function useNarrow(query = '(max-width: 44rem)'): boolean {
  const get = () => typeof matchMedia === 'function' && matchMedia(query).matches;
  const [narrow, setNarrow] = useState(get);
  useEffect(() => {
    if (typeof matchMedia !== 'function') return;
    const m = matchMedia(query);
    const on = () => setNarrow(m.matches);
    m.addEventListener?.('change', on);
    on();
    return () => m.removeEventListener?.('change', on);
  }, [query]);
  return narrow;
}

/**
 * Filters behind one button, with a line saying what is applied, so results come first on a phone.
 * `summary` lists the applied filters in words (empty: everything).
 */
export function FilterPanel({ summary, children, testid }: { summary: string[]; children: ComponentChildren; testid?: string }): JSX.Element {
  const t = useT();
  const [open, setOpen] = useState(false);
  const id = useId();
  return (
    <div class="filter-panel" data-testid={testid}>
      <div class="filter-bar">
        <button type="button" class="btn btn-small" aria-expanded={open} aria-controls={id} onClick={() => setOpen(!open)}>
          {summary.length ? t('filters.buttonCount', { count: summary.length }) : t('filters.button')}
        </button>
        <p class="filter-summary" data-testid="filter-summary">
          {summary.length ? summary.join(' · ') : t('filters.none')}
        </p>
      </div>
      <div id={id} hidden={!open}>
        {children}
      </div>
    </div>
  );
}

/** A result message; with `undo`, a button that takes the change back. */
export interface Notice {
  kind: 'success' | 'error';
  text: string;
  undo?: () => void;
}

export function NoticeBar({ notice, testid }: { notice: Notice | null; testid?: string }): JSX.Element {
  const t = useT();
  return (
    <div aria-live="polite" aria-atomic="true" data-testid={testid}>
      {notice && (
        <div class={`alert alert-${notice.kind} notice`}>
          <span>{notice.text}</span>
          {notice.undo && (
            <button type="button" class="btn btn-small" onClick={notice.undo}>
              {t('common.undo')}
            </button>
          )}
        </div>
      )}
    </div>
  );
}

export function useTitle(title: string): void {
  useEffect(() => {
    document.title = title;
  }, [title]);
}

/** Under a keyset-paged list: "none", "loading", or a button for the next page. */
export function ListFooter({
  loading,
  empty,
  cursor,
  onMore,
}: {
  loading: boolean;
  empty: boolean;
  cursor: string | null;
  onMore: (cursor: string) => void;
}): JSX.Element {
  const t = useT();
  return (
    <>
      {!loading && empty && <p class="muted">{t('common.none')}</p>}
      {loading && <p class="muted">{t('common.loading')}</p>}
      {cursor && !loading && (
        <button type="button" class="btn" onClick={() => onMore(cursor)}>
          {t('common.loadMore')}
        </button>
      )}
    </>
  );
}
