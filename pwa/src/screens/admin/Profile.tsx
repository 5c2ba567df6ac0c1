// The seed's user-profile/{userId}: one user's stock, requests and recent activity.
import type { JSX } from 'preact';
import { api } from '../../lib/api';
import { actionName } from './audit-text';
import { errorText } from '../../lib/errors';
import { fmtDateTime, useI18n } from '../../lib/i18n';
import { useLoad } from '../../lib/hooks';
import type { Profile as P } from '../../lib/types';
import { StatusTag } from '../../components/StatusTag';
import { Details, useTitle, useUsers } from './shared';

export function Profile({ userId }: { userId: string }): JSX.Element {
  const { t, lang } = useI18n();
  useTitle(`${t('profile.title')} · ${t('app.name')}`);
  const p = useLoad(() => api.get<P>(`/users/${encodeURIComponent(userId)}/profile`), [userId]);
  const users = useUsers();
  const d = p.data;
  return (
    <main id="main" class="screen wide">
      <h1>
        {t('profile.title')}
        {d && `: ${d.user.name}`}
      </h1>
      {p.error && (
        <p class="alert alert-error" role="alert">
          {errorText(p.error, t)}
        </p>
      )}
      {d && (
        <>
          <p>
            {d.user.username} · {t(`role.${d.user.role}`)}
            {d.user.slackUserId && ` · Slack ${d.user.slackUserId}`}
          </p>
          <section class="card">
            <h2>{t('profile.tokens')}</h2>
            <div class="stats" data-testid="profile-tokens">
              {(['available', 'used', 'expired', 'revoked'] as const).map((k) => (
                <div class="stat" key={k}>
                  <span class="stat-value">{d.tokens[k]}</span>
                  <span class="stat-label">{t(`status.${k}`)}</span>
                </div>
              ))}
            </div>
          </section>
          <section class="card">
            <h2>{t('profile.requests')}</h2>
            {d.requests.length === 0 && <p class="muted">{t('common.none')}</p>}
            <ul class="list">
              {d.requests.map((r) => (
                <li key={r.id}>
                  <StatusTag status={r.status} /> {t('profile.requested', { count: r.quantity })} · {fmtDateTime(r.createdAt, lang)} {r.reason}
                </li>
              ))}
            </ul>
          </section>
          <section class="card">
            <h2>{t('profile.activity')}</h2>
            <ul class="list">
              {d.recentActivity.map((a) => (
                <li key={a.id}>
                  <p>
                    <strong>{actionName(a.action, t)}</strong> <span class={`tag tag-${a.outcome}`}>{t(`audit.${a.outcome}`)}</span> · {fmtDateTime(a.at, lang)}
                  </p>
                  <Details value={a.details} users={users} />
                </li>
              ))}
            </ul>
          </section>
        </>
      )}
    </main>
  );
}
