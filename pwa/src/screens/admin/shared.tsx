// Helpers shared by the admin screens: the user directory (names for ids) and a user picker.
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api } from '../../lib/api';
import { useT } from '../../lib/i18n';
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
    if (!cache) cache = fetchAll().catch((e: unknown) => {
      cache = null;
      throw e;
    });
    let live = true;
    cache.then((u) => live && setUsers(u), () => {});
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

export function Details({ value }: { value: Record<string, unknown> | null }): JSX.Element | null {
  if (!value || Object.keys(value).length === 0) return null;
  return (
    <span class="muted details">
      {Object.entries(value)
        .map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
        .join(' · ')}
    </span>
  );
}

export function useTitle(title: string): void {
  useEffect(() => {
    document.title = title;
  }, [title]);
}

/** Under a keyset-paged list: "none", "loading", or a button for the next page. */
export function ListFooter({ loading, empty, cursor, onMore }: { loading: boolean; empty: boolean; cursor: string | null; onMore: (cursor: string) => void }): JSX.Element {
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
