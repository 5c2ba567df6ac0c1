// Token requests: pending first, approve or reject with a reason; live as requests arrive.
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { api, ApiError } from '../../lib/api';
import { errorText } from '../../lib/errors';
import { fmtDateTime, useI18n } from '../../lib/i18n';
import { useLoad } from '../../lib/hooks';
import { useLiveEvents } from '../../lib/events';
import type { Page, TokenRequest } from '../../lib/types';
import { Field } from '../../components/Field';
import { LiveRegion } from '../../components/Alert';
import { StatusTag } from '../../components/StatusTag';
import { UserLink, userName, useTitle, useUsers } from './shared';

const FILTERS = ['pending', 'approved', 'rejected', 'expired', ''] as const;

export function Requests(): JSX.Element {
  const { t, lang } = useI18n();
  useTitle(`${t('req.title')} · ${t('app.name')}`);
  const users = useUsers();
  const [status, setStatus] = useState<string>('pending');
  const list = useLoad(() => api.get<Page<TokenRequest>>('/token-requests', { status, limit: 100 }), [status]);
  const [rejecting, setRejecting] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const [msg, setMsg] = useState<{ kind: 'success' | 'error'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  useLiveEvents(() => list.reload(), ['open', 'request.created', 'request.decided']);

  const fail = (e: unknown) => {
    const text =
      e instanceof ApiError && e.code === 'already_decided'
        ? t('req.alreadyDecided')
        : e instanceof ApiError && e.code === 'self_approval'
          ? t('req.self')
          : errorText(e, t);
    setMsg({ kind: 'error', text });
  };

  const approve = async (r: TokenRequest) => {
    setBusy(true);
    try {
      const res = await api.post<{ request: TokenRequest; issued: number }>(`/token-requests/${encodeURIComponent(r.id)}/approve`, {});
      setMsg({ kind: 'success', text: t('req.approved', { count: res.issued }) });
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
      list.reload();
    }
  };

  const reject = async (e: Event, r: TokenRequest) => {
    e.preventDefault();
    if (reason.trim().length < 3) return;
    setBusy(true);
    try {
      await api.post(`/token-requests/${encodeURIComponent(r.id)}/reject`, { reason: reason.trim() });
      setMsg({ kind: 'success', text: t('req.rejected') });
      setRejecting(null);
      setReason('');
    } catch (err) {
      fail(err);
    } finally {
      setBusy(false);
      list.reload();
    }
  };

  return (
    <main id="main" class="screen wide">
      <h1>{t('req.title')}</h1>
      <div class="filters">
        <Field label={t('col.status')}>
          {(a) => (
            <select {...a} name="status" value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
              {FILTERS.map((s) => (
                <option key={s} value={s}>
                  {s ? t(`status.${s}`) : t('common.all')}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <LiveRegion testid="requests-msg">{msg && <p class={`alert alert-${msg.kind}`}>{msg.text}</p>}</LiveRegion>
      {list.error && <p class="alert alert-error">{errorText(list.error, t)}</p>}
      {list.data && list.data.items.length === 0 && <p class="muted">{t('common.none')}</p>}
      <ul class="list cards" data-testid="requests">
        {list.data?.items.map((r) => (
          <li key={r.id} class="card" data-request-id={r.id}>
            <p>
              <StatusTag status={r.status} /> <strong>{t('req.by', { name: userName(users, r.userId), count: r.quantity })}</strong>
            </p>
            {r.reason && <p>{r.reason}</p>}
            <p class="muted">
              <UserLink users={users} id={r.userId} /> · {fmtDateTime(r.createdAt, lang)}
              {r.decidedBy && (
                <>
                  {' '}
                  · {t('col.decision')}: <UserLink users={users} id={r.decidedBy} /> {fmtDateTime(r.decidedAt, lang)} {r.decisionNote}
                </>
              )}
            </p>
            {r.status === 'pending' && rejecting !== r.id && (
              <div class="actions">
                <button type="button" class="btn btn-primary" disabled={busy} onClick={() => void approve(r)}>
                  {t('req.approve')}
                </button>
                <button type="button" class="btn btn-secondary" disabled={busy} onClick={() => setRejecting(r.id)}>
                  {t('req.reject')}
                </button>
              </div>
            )}
            {rejecting === r.id && (
              <form onSubmit={(e) => void reject(e, r)} noValidate>
                <Field label={t('req.rejectReason')}>
                  {(a) => (
                    <input {...a} name="rejectReason" minLength={3} maxLength={500} required value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
                  )}
                </Field>
                <div class="actions">
                  <button type="submit" class="btn btn-danger" disabled={busy || reason.trim().length < 3}>
                    {t('req.confirmReject')}
                  </button>
                  <button type="button" class="btn btn-secondary" onClick={() => setRejecting(null)}>
                    {t('common.cancel')}
                  </button>
                </div>
              </form>
            )}
          </li>
        ))}
      </ul>
    </main>
  );
}
