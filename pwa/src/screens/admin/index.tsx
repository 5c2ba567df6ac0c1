// The admin console (its own chunk): sub-navigation and the admin screens.
import type { JSX } from 'preact';
import { addMessages, useT } from '../../lib/i18n';
import { adminEn, adminId } from './messages';
import { isAdmin, useSession } from '../../lib/session';
import { OverflowNav } from '../../components/OverflowNav';
import { Monitoring } from './Monitoring';
import { Tokens } from './Tokens';
import { Generate } from './Generate';
import { Requests } from './Requests';
import { Reviews } from './Reviews';
import { Audit } from './Audit';
import { Users } from './Users';
import { Profile } from './Profile';
import { Settings } from './Settings';

// The console's words join the catalogue as its chunk loads, before any of its screens renders.
addMessages({ en: adminEn, id: adminId });

const SECTIONS = [
  ['/admin', 'nav.monitoring'],
  ['/admin/requests', 'nav.requests'],
  ['/admin/reviews', 'nav.reviews'],
  ['/admin/tokens', 'nav.adminTokens'],
  ['/admin/generate', 'nav.generate'],
  ['/admin/audit', 'nav.audit'],
  ['/admin/users', 'nav.users'],
  ['/admin/settings', 'nav.settings'],
] as const;

export function AdminConsole({ path }: { path: string }): JSX.Element {
  const t = useT();
  const { me } = useSession();
  const profile = /^\/(?:admin\/)?user-profile\/([^/]+)$/.exec(path);

  // Staff may open their own profile; everything else is admin-only (the API enforces it too).
  if (!isAdmin(me) && !(profile && decodeURIComponent(profile[1]!) === me.user.id)) {
    return (
      <main id="main" class="screen">
        <h1>{t('admin.title')}</h1>
        <p class="alert alert-error" role="alert">
          {t('error.forbidden')}
        </p>
      </main>
    );
  }

  let screen: JSX.Element;
  if (profile) screen = <Profile userId={decodeURIComponent(profile[1]!)} />;
  else if (path === '/admin/tokens') screen = <Tokens />;
  else if (path === '/admin/generate') screen = <Generate />;
  else if (path === '/admin/requests') screen = <Requests />;
  else if (path === '/admin/reviews') screen = <Reviews />;
  else if (path === '/admin/audit') screen = <Audit />;
  else if (path === '/admin/users') screen = <Users />;
  else if (path === '/admin/settings') screen = <Settings />;
  else screen = <Monitoring />;

  return (
    <div class="admin">
      {isAdmin(me) && (
        <OverflowNav
          class="subnav"
          label={t('nav.admin')}
          menuLabel={t('common.more')}
          items={SECTIONS.map(([href, key]) => ({ href, label: t(key), active: path === href }))}
        />
      )}
      {screen}
    </div>
  );
}
