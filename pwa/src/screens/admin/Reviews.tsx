// Break-the-glass review: every emergency access is marked justified or flagged after the fact.
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { api, ApiError } from '../../lib/api';
import { errorText } from '../../lib/errors';
import { fmtDateTime, useI18n } from '../../lib/i18n';
import { useLoad } from '../../lib/hooks';
import { useLiveEvents } from '../../lib/events';
import { useSession } from '../../lib/session';
import type { Grant, Page } from '../../lib/types';
import { LiveRegion } from '../../components/Alert';
import { UserLink, userName, useTitle, useUsers } from './shared';

export function Reviews(): JSX.Element {
  const { t, lang } = useI18n();
  useTitle(`${t('rev.title')} · ${t('app.name')}`);
  const { me } = useSession();
  const users = useUsers();
  const [reviewed, setReviewed] = useState(false);
  const list = useLoad(() => api.get<Page<Grant>>('/grants', { reviewed, limit: 100 }), [reviewed]);
  const [notes, setNotes] = useState<Record<string, string>>({});
  const [msg, setMsg] = useState<{ kind: 'success' | 'error'; text: string } | null>(null);
  useLiveEvents(() => list.reload(), ['open', 'grant.opened', 'grant.reviewed']);

  const review = async (g: Grant, verdict: 'justified' | 'flagged') => {
    try {
      const note = notes[g.id]?.trim();
      await api.post(`/grants/${encodeURIComponent(g.id)}/review`, note ? { verdict, note } : { verdict });
      setMsg({ kind: 'success', text: t('rev.done') });
    } catch (e) {
      setMsg({ kind: 'error', text: e instanceof ApiError && e.status === 409 ? t('error.conflict') : errorText(e, t) });
    }
    list.reload();
  };

  return (
    <main id="main" class="screen wide">
      <h1>{t('rev.title')}</h1>
      <div class="tabs" role="group">
        <button type="button" class={`btn btn-small ${!reviewed ? 'btn-primary' : ''}`} aria-pressed={!reviewed} onClick={() => setReviewed(false)}>
          {t('rev.unreviewed')}
        </button>
        <button type="button" class={`btn btn-small ${reviewed ? 'btn-primary' : ''}`} aria-pressed={reviewed} onClick={() => setReviewed(true)}>
          {t('rev.reviewed')}
        </button>
      </div>
      <LiveRegion>{msg && <p class={`alert alert-${msg.kind}`}>{msg.text}</p>}</LiveRegion>
      {list.error && <p class="alert alert-error">{errorText(list.error, t)}</p>}
      {list.data && list.data.items.length === 0 && <p class="muted">{t('common.none')}</p>}
      <ul class="list cards" data-testid="grants">
        {list.data?.items.map((g) => (
          <li key={g.id} class="card">
            <p>
              <strong>{t('rev.opened', { name: userName(users, g.userId) })}</strong> · {fmtDateTime(g.createdAt, lang)}
            </p>
            <p>{t('grant.reason', { reason: g.reason })}</p>
            {g.patientRef && <p>{t('grant.patient', { ref: g.patientRef })}</p>}
            {g.review ? (
              <p>
                <span class={`tag tag-${g.review.verdict}`}>{t(`rev.verdict.${g.review.verdict}`)}</span> <UserLink users={users} id={g.review.reviewedBy} /> ·{' '}
                {fmtDateTime(g.review.reviewedAt, lang)} {g.review.note}
              </p>
            ) : (
              g.userId !== me.user.id && (
                <div>
                  <label class="sr-only" for={`note-${g.id}`}>
                    {t('rev.note')}
                  </label>
                  <input
                    id={`note-${g.id}`}
                    placeholder={t('rev.note')}
                    maxLength={500}
                    value={notes[g.id] ?? ''}
                    onInput={(e) => {
                      const v = e.currentTarget.value;
                      setNotes((n) => ({ ...n, [g.id]: v }));
                    }}
                  />
                  <div class="actions">
                    <button type="button" class="btn btn-primary" onClick={() => void review(g, 'justified')}>
                      {t('rev.justified')}
                    </button>
                    <button type="button" class="btn btn-danger" onClick={() => void review(g, 'flagged')}>
                      {t('rev.flagged')}
                    </button>
                  </div>
                </div>
              )
            )}
          </li>
        ))}
      </ul>
    </main>
  );
}
