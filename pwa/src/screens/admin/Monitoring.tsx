// What admins watch, readable at a glance: stock and pending work as labelled numbers, use over the
// last 30 days and 24 hours, stock over time and who uses most (series endpoints, charts in Chart.tsx),
// low-stock users and recent activity in words. Live over SSE, and it says so only while it is.
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { api } from '../../lib/api';
import { actionName } from './audit-text';
import { errorText } from '../../lib/errors';
import { fmtDateTime, useI18n, type Lang } from '../../lib/i18n';
import { useLoad } from '../../lib/hooks';
import { useLiveEvents, useStreamState } from '../../lib/events';
import { DEFAULT_LOW_THRESHOLD, useSession } from '../../lib/session';
import type { ActivitySeries, Monitoring as M, StockHistory, TopUsers } from '../../lib/types';
import { Field } from '../../components/Field';
import { Link } from '../../components/Link';
import { Chart } from './Chart';
import { AuditIntegrity } from './AuditIntegrity';
import { DeadLetters } from './DeadLetters';
import { Details, UserLink, useTitle, useUsers } from './shared';

const locales: Record<Lang, string> = { en: 'en-GB', id: 'id-ID' };
const timeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/** "Live", or in red "Not updating", from the event stream's real state (not a claim). */
function LiveStatus(): JSX.Element {
  const { t } = useI18n();
  const state = useStreamState();
  const text = state === 'live' ? t('mon.live') : state === 'down' ? t('mon.down') : t('mon.connecting');
  return (
    <p class={`live-status live-${state}`} role="status" data-testid="live-status" data-state={state}>
      <span class="live-dot" aria-hidden="true" />
      {text}
    </p>
  );
}

export function Monitoring(): JSX.Element {
  const { t, lang } = useI18n();
  const { me } = useSession();
  useTitle(`${t('mon.title')} · ${t('app.name')}`);
  const [threshold, setThreshold] = useState(String(me.lowTokenThreshold ?? DEFAULT_LOW_THRESHOLD));
  const users = useUsers();
  const tz = timeZone();
  const m = useLoad(() => api.get<M>('/monitoring', { threshold: Number(threshold) || undefined }), [threshold]);
  const daily = useLoad(() => api.get<ActivitySeries>('/monitoring/activity', { bucket: 'day', tz }), []);
  const hourly = useLoad(() => api.get<ActivitySeries>('/monitoring/activity', { bucket: 'hour', tz }), []);
  const stock = useLoad(() => api.get<StockHistory>('/monitoring/stock-history', { tz }), []);
  const top = useLoad(() => api.get<TopUsers>('/monitoring/top-users', { days: 30, limit: 5 }), []);
  useLiveEvents(() => m.reload());
  // Charts move with use, not with every event: validations, requests and stock changes.
  useLiveEvents(() => {
    daily.reload();
    hourly.reload();
    stock.reload();
    top.reload();
  }, ['open', 'token.used', 'request.created', 'token.generated', 'token.revoked', 'lockout']);

  const d = m.data;
  const day = new Intl.DateTimeFormat(locales[lang], { day: 'numeric', month: 'short' });
  const hour = new Intl.DateTimeFormat(locales[lang], { hour: '2-digit', minute: '2-digit' });
  const activity = (s: ActivitySeries) => ({
    x: s.points.map((p) => Date.parse(p.start)),
    series: [
      { label: t('mon.validated'), values: s.points.map((p) => p.validated), colorVar: '--chart-ok', kind: 'bars' as const },
      { label: t('mon.failed'), values: s.points.map((p) => p.failed), colorVar: '--chart-bad', kind: 'line' as const },
      { label: t('mon.requested'), values: s.points.map((p) => p.requested), colorVar: '--chart-info', kind: 'line' as const },
    ],
  });
  const stats: Array<[string, number | undefined, string]> = [
    [t('mon.available'), d?.tokens.available, 'available'],
    [t('mon.used'), d?.tokens.used, 'used'],
    [t('mon.expired'), d?.tokens.expired, 'expired'],
    [t('mon.revoked'), d?.tokens.revoked, 'revoked'],
    [t('mon.total'), d?.tokens.total, 'total'],
    [t('mon.used24h'), d?.usedLast24h, 'used24h'],
  ];
  const topMax = Math.max(1, ...(top.data?.items.map((u) => u.validated + u.failed) ?? [1]));

  return (
    <main id="main" class="screen wide">
      <div class="title-row">
        <h1>{t('mon.title')}</h1>
        <LiveStatus />
      </div>
      {m.error && (
        <p class="alert alert-error" role="alert">
          {errorText(m.error, t)}
        </p>
      )}
      <div class="stats" data-testid="stats">
        {stats.map(([label, v, key]) => (
          <div class="stat" key={key} data-stat={key}>
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

      <section class="card" aria-labelledby="use-title">
        <h2 id="use-title">{t('mon.use')}</h2>
        <div class="charts">
          {daily.data && <Chart testid="chart-daily" title={t('mon.last30')} {...activity(daily.data)} xLabel={(v) => day.format(v)} />}
          {hourly.data && <Chart testid="chart-hourly" title={t('mon.last24h')} {...activity(hourly.data)} xLabel={(v) => hour.format(v)} />}
          {stock.data && (
            <Chart
              testid="chart-stock"
              title={t('mon.stockOverTime')}
              x={stock.data.points.map((p) => Date.parse(p.at))}
              series={[{ label: t('mon.usable'), values: stock.data.points.map((p) => p.available), colorVar: '--chart-info', kind: 'line' }]}
              xLabel={(v) => day.format(v)}
            />
          )}
        </div>
        {(daily.error || stock.error) && <p class="alert alert-error">{errorText(daily.error ?? stock.error, t)}</p>}
      </section>

      <DeadLetters />

      <AuditIntegrity />

      <div class="cols">
        <section class="card" aria-labelledby="top-title">
          <h2 id="top-title">{t('mon.topUsers')}</h2>
          {top.data && top.data.items.length === 0 && <p class="muted">{t('common.none')}</p>}
          <ol class="top-users" data-testid="top-users">
            {top.data?.items.map((u) => (
              <li key={u.userId}>
                <Link href={`/admin/user-profile/${encodeURIComponent(u.userId)}`}>{u.name}</Link>
                <span class="top-bar" aria-hidden="true">
                  <span class="ok" style={{ width: `${(u.validated / topMax) * 100}%` }} />
                  <span class="bad" style={{ width: `${(u.failed / topMax) * 100}%` }} />
                </span>
                <span class="top-numbers">{t('mon.topLine', { validated: u.validated, failed: u.failed })}</span>
              </li>
            ))}
          </ol>
        </section>
        <section class="card" aria-labelledby="low-title">
          <h2 id="low-title">{t('mon.lowStock')}</h2>
          <Field label={t('mon.threshold')} class="inline">
            {(a) => (
              <input {...a} type="number" min={0} max={1000} inputMode="numeric" value={threshold} onChange={(e) => setThreshold(e.currentTarget.value)} />
            )}
          </Field>
          {d && d.lowStockUsers.length === 0 && <p class="muted">{t('mon.noLowStock')}</p>}
          <ul class="list" data-testid="low-stock">
            {d?.lowStockUsers.map((u) => (
              <li key={u.userId}>
                <Link href={`/admin/user-profile/${encodeURIComponent(u.userId)}`}>{u.name}</Link> · {t('users.available', { count: u.available })}
              </li>
            ))}
          </ul>
        </section>
        <section class="card" aria-labelledby="recent-title">
          <h2 id="recent-title">{t('mon.recent')}</h2>
          <ul class="list" data-testid="recent">
            {d?.recentActivity.map((a) => (
              <li key={a.id}>
                <p>
                  <strong>{actionName(a.action, t)}</strong> <span class={`tag tag-${a.outcome}`}>{t(`audit.${a.outcome}`)}</span>{' '}
                  <UserLink users={users} id={a.actorId} /> · <time dateTime={a.at}>{fmtDateTime(a.at, lang)}</time>
                </p>
                <Details value={a.details} users={users} />
              </li>
            ))}
          </ul>
        </section>
      </div>
    </main>
  );
}
