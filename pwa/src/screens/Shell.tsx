// Signed-in frame: top bar, navigation (with the admins' live badge) and the routed screen.
import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api } from '../lib/api';
import { useLiveEvents } from '../lib/events';
import { useT } from '../lib/i18n';
import { navigate, useLocation } from '../lib/router';
import { isAdmin, useSession } from '../lib/session';
import type { Monitoring } from '../lib/types';
import { Badge } from '../components/Badge';
import { LangSwitch } from '../components/LangSwitch';
import { Link } from '../components/Link';
import { Validate } from './Validate';
import { Record } from './Record';
import { MyTokens } from './MyTokens';
import { AdminLazy } from './AdminLazy';

const BADGE_EVENTS = ['open', 'request.created', 'request.decided', 'grant.opened', 'grant.reviewed'];

/** Pending requests + unreviewed emergency accesses, kept live over SSE. */
function useAdminBadge(enabled: boolean): number {
  const [count, setCount] = useState(0);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!enabled) return;
    let stale = false;
    api.get<Monitoring>('/monitoring').then(
      (m) => !stale && setCount((m.pendingRequests ?? 0) + (m.unreviewedGrants ?? 0)),
      () => {},
    );
    return () => {
      stale = true;
    };
  }, [enabled, tick]);
  useLiveEvents(() => enabled && setTick((n) => n + 1), BADGE_EVENTS);
  return count;
}

export function Shell({ banners }: { banners?: ComponentChildren }): JSX.Element {
  const t = useT();
  const { me, signOut, refresh } = useSession();
  const { path } = useLocation();
  const admin = isAdmin(me);
  const badge = useAdminBadge(admin);

  // My own stock and grant change with these events; /me is cheap.
  useLiveEvents((e) => (!e.userId || e.userId === me.user.id) && void refresh(), ['open', 'token.generated', 'token.used', 'token.revoked', 'request.decided', 'grant.opened']);

  useEffect(() => {
    if (path === '/' && admin) navigate('/admin', true);
  }, [path, admin]);

  const links: { href: string; label: string; active: boolean; badge?: number; count?: number }[] = [
    { href: '/validate', label: t('nav.validate'), active: path === '/' || path === '/validate' },
    { href: '/record', label: t('nav.record'), active: path === '/record' },
    { href: '/tokens', label: t('nav.tokens'), active: path === '/tokens', count: me.tokens.available },
  ];
  if (admin) links.push({ href: '/admin', label: t('nav.admin'), active: path.startsWith('/admin') || path.startsWith('/user-profile'), badge });

  let screen: JSX.Element;
  if (path === '/record') screen = <Record />;
  else if (path === '/tokens') screen = <MyTokens />;
  else if (path.startsWith('/admin') || path.startsWith('/user-profile/')) screen = <AdminLazy path={path} />;
  else screen = <Validate />;

  return (
    <>
      <header class="topbar">
        <span class="brand">{t('app.name')}</span>
        <span class="who">{me.user.name}</span>
        <LangSwitch />
        <button type="button" class="btn-link" onClick={() => void signOut()} data-testid="sign-out">
          {t('nav.signOut')}
        </button>
      </header>
      <nav class="nav" aria-label={t('nav.label')}>
        {links.map((l) => (
          <Link key={l.href} href={l.href} class={l.active ? 'active' : ''} aria-current={l.active ? 'page' : undefined}>
            {l.label}
            {l.count !== undefined && (
              <span class="count" data-testid="nav-stock">
                {l.count}
              </span>
            )}
            {l.badge !== undefined && <Badge count={l.badge} />}
          </Link>
        ))}
      </nav>
      {banners}
      {screen}
    </>
  );
}
