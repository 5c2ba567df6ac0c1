// Loads the admin console as its own chunk, so staff phones never download it.
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { useT } from '../lib/i18n';

type AdminModule = typeof import('./admin/index');
let loaded: AdminModule | null = null;

export function AdminLazy({ path }: { path: string }): JSX.Element {
  const t = useT();
  const [mod, setMod] = useState<AdminModule | null>(loaded);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    if (mod) return;
    import('./admin/index').then(
      (m) => {
        loaded = m;
        setMod(m);
      },
      () => setFailed(true),
    );
  }, [mod]);
  if (mod) return <mod.AdminConsole path={path} />;
  return (
    <main id="main" class="screen">
      <h1>{t('admin.title')}</h1>
      <p role="status" class={failed ? 'alert alert-error' : 'muted'}>
        {failed ? t('admin.loadFailed') : t('admin.loading')}
      </p>
    </main>
  );
}
