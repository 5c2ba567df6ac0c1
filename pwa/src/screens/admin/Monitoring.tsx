// Stats, low-stock users, pending requests, unreviewed accesses and recent activity, live over SSE.
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { api } from '../../lib/api';
import { errorText } from '../../lib/errors';
import { fmtDateTime, useI18n } from '../../lib/i18n';
import { useLoad } from '../../lib/hooks';
import { useLiveEvents } from '../../lib/events';
import { DEFAULT_LOW_THRESHOLD, useSession } from '../../lib/session';
import type { Monitoring as M } from '../../lib/types';
import { Field } from '../../components/Field';
import { Link } from '../../components/Link';
import { Details, UserLink, useTitle, useUsers } from './shared';

export function Monitoring(): JSX.Element {
  const { t, lang } = useI18n();
  const { me } = useSession();
  useTitle(`${t('mon.title')} · ${t('app.name')}`);
  const [threshold, setThreshold] = useState(String(me.lowTokenThreshold ?? DEFAULT_LOW_THRESHOLD));
  const users = useUsers();
  const m = useLoad(() => api.get<M>('/monitoring', { threshold: Number(threshold) || undefined }), [threshold]);
  useLiveEvents(() => m.reload());
  const d = m.data;
  const stats: [string, number | undefined][] = [
    [t('mon.available'), d?.tokens.available],
    [t('mon.used'), d?.tokens.used],
    [t('mon.expired'), d?.tokens.expired],
    [t('mon.revoked'), d?.tokens.revoked],
    [t('mon.total'), d?.tokens.total],
    [t('mon.used24h'), d?.usedLast24h],
  ];
  return (
    <main id="main" class="screen wide">
      <h1>
        {t('mon.title')} <span class="live-dot" title={t('mon.live')} aria-label={t('mon.live')} />
      </h1>
      {m.error && <p class="alert alert-error" role="alert">{errorText(m.error, t)}</p>}
      <div class="stats" data-testid="stats">
        {stats.map(([label, v]) => (
          <div class="stat" key={label}>
            <span class="stat-value">{v ?? '–'}</span>
            <span class="stat-label">{label}</span>
          </div>
        ))}
        <Link class="stat stat-link" href="/admin/requests" data-testid="stat-pending">
          <span class="stat-value">{d?.pendingRequests ?? '–'}</span>
          <span class="stat-label">{t('mon.pending')}</span>
        </Link>
        <Link class="stat stat-link" href="/admin/reviews" data-testid="stat-unreviewed">
          <span class="stat-value">{d?.unreviewedGrants ?? '–'}</span>
          <span class="stat-label">{t('mon.unreviewed')}</span>
        </Link>
      </div>
      <div class="cols">
        <section class="card">
          <h2>{t('mon.lowStock')}</h2>
          <Field label={t('mon.threshold')} class="inline">
            {(a) => <input {...a} type="number" min={0} max={1000} inputMode="numeric" value={threshold} onChange={(e) => setThreshold(e.currentTarget.value)} />}
          </Field>
          {d && d.lowStockUsers.length === 0 && <p class="muted">{t('mon.noLowStock')}</p>}
          <ul class="list" data-testid="low-stock">
            {d?.lowStockUsers.map((u) => (
              <li key={u.userId}>
                <Link href={`/admin/user-profile/${encodeURIComponent(u.userId)}`}>{u.name}</Link> · <strong>{u.available}</strong>
              </li>
            ))}
          </ul>
        </section>
        <section class="card">
          <h2>{t('mon.recent')}</h2>
          <ul class="list" data-testid="recent">
            {d?.recentActivity.map((a) => (
              <li key={a.id}>
                <span class={`tag tag-${a.outcome}`}>{a.action}</span> <UserLink users={users} id={a.actorId} /> · {fmtDateTime(a.at, lang)} <Details value={a.details} />
              </li>
            ))}
          </ul>
        </section>
      </div>
    </main>
  );
}
