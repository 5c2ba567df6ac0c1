// Signed-in frame: one row of navigation (what does not fit, and the account menu, behind "Menu"), the
// grant's spoken warnings wherever she is, and the routed screen. Focus moves to a new screen's heading,
// and to the first field right after signing in.
import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../lib/api';
import { useLiveEvents } from '../lib/events';
import { useT } from '../lib/i18n';
import { useNow } from '../lib/hooks';
import { recall } from '../lib/memory';
import { navigate, useLocation } from '../lib/router';
import { activeGrant, isAdmin, useSession } from '../lib/session';
import { savedDraft } from '../lib/draft';
import { focusFirstField, focusHeading } from '../lib/focus';
import type { Monitoring } from '../lib/types';
import { LangSwitch } from '../components/LangSwitch';
import { Link } from '../components/Link';
import { OverflowNav, type NavItem } from '../components/OverflowNav';
import { GrantAlerts } from '../components/GrantAlerts';
import { useConfirm } from '../components/ConfirmDialog';
import { Validate } from './Validate';
import { Record } from './Record';
import { MyTokens } from './MyTokens';
import { Account } from './Account';
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

interface Props {
  banners?: ComponentChildren;
  justSignedIn?: boolean;
  onSignedOutEverywhere: () => void;
}

export function Shell({ banners, justSignedIn, onSignedOutEverywhere }: Props): JSX.Element {
  const t = useT();
  const { me, signOut, refresh } = useSession();
  const { path } = useLocation();
  const admin = isAdmin(me);
  const badge = useAdminBadge(admin);
  const now = useNow(true);
  const grant = activeGrant(me, now);
  const [dialog, ask] = useConfirm();

  // My own stock and grant change with these events; /me is cheap.
  useLiveEvents(
    (e) => (!e.userId || e.userId === me.user.id) && void refresh(),
    ['open', 'token.generated', 'token.used', 'token.revoked', 'request.decided', 'grant.opened', 'lockout'],
  );

  useEffect(() => {
    if (path === '/' && admin) navigate('/admin', true);
  }, [path, admin]);

  // Focus: the first field right after signing in; a new screen's heading after moving between screens.
  const firstPath = useRef(true);
  useEffect(() => {
    const first = firstPath.current;
    firstPath.current = false;
    const id = requestAnimationFrame(() => {
      if (first && justSignedIn) focusFirstField();
      else if (!first) focusHeading();
    });
    return () => cancelAnimationFrame(id);
  }, [path]);

  const confirmSignOut = async (close: () => void) => {
    close();
    const draft = savedDraft(me.user.id);
    const tokens = recall<{ userId: string; tokens: unknown[] }>('revealed-tokens');
    if (draft || (tokens && tokens.userId === me.user.id && tokens.tokens.length)) {
      const yes = await ask({ title: t('nav.signOutConfirmTitle'), body: <p>{t('nav.signOutLoses')}</p>, confirm: t('nav.signOut'), danger: true });
      if (!yes) return;
    }
    await signOut();
  };

  const showRecord = Boolean(grant) || Boolean(savedDraft(me.user.id)) || path === '/record';
  const items: NavItem[] = [{ href: '/validate', label: t('nav.validate'), active: path === '/' || path === '/validate' }];
  if (showRecord) items.push({ href: '/record', label: t('nav.record'), active: path === '/record' });
  items.push({ href: '/tokens', label: t('nav.tokens'), active: path === '/tokens', count: me.tokens.available });
  if (admin) items.push({ href: '/admin', label: t('nav.admin'), active: path.startsWith('/admin') || path.startsWith('/user-profile'), badge });

  let screen: JSX.Element;
  if (path === '/record') screen = <Record />;
  else if (path === '/tokens') screen = <MyTokens />;
  else if (path === '/account') screen = <Account onSignedOutEverywhere={onSignedOutEverywhere} />;
  else if (path.startsWith('/admin') || path.startsWith('/user-profile/')) screen = <AdminLazy path={path} />;
  else screen = <Validate />;

  return (
    <>
      <header class="topbar signed-in">
        <OverflowNav
          label={t('nav.label')}
          items={items}
          menuLabel={t('nav.menu')}
          extra={(close) => (
            <ul class="menu-links">
              <li>
                <Link href="/account" class={path === '/account' ? 'active' : ''} aria-current={path === '/account' ? 'page' : undefined} onClick={close}>
                  {t('nav.account')}: {me.user.name}
                </Link>
              </li>
              <li>
                <LangSwitch />
              </li>
              <li>
                <button type="button" class="menu-item" onClick={() => void confirmSignOut(close)} data-testid="sign-out">
                  {t('nav.signOut')}
                </button>
              </li>
            </ul>
          )}
        />
      </header>
      {banners}
      <GrantAlerts grant={grant} now={now} />
      {screen}
      {dialog}
    </>
  );
}
