// Token list: filter by status and user (behind one button on a phone), keyset pagination, revoke after
// asking. A table on a wide screen, cards on a narrow one, so nothing ever makes the page wider than the phone.
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../../lib/api';
import { errorText } from '../../lib/errors';
import { fmtDateTime, useI18n } from '../../lib/i18n';
import type { Page, Token } from '../../lib/types';
import { Field } from '../../components/Field';
import { StatusTag } from '../../components/StatusTag';
import { useConfirm } from '../../components/ConfirmDialog';
import { FilterPanel, ListFooter, NoticeBar, type Notice, userName, UserLink, UserSelect, useNarrow, useTitle, useUsers } from './shared';

const STATUSES = ['available', 'used', 'expired', 'revoked'] as const;

export function Tokens(): JSX.Element {
  const { t, lang } = useI18n();
  useTitle(`${t('tok.title')} · ${t('app.name')}`);
  const users = useUsers();
  const narrow = useNarrow();
  const [status, setStatus] = useState('');
  const [userId, setUserId] = useState('');
  const [items, setItems] = useState<Token[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [notice, setNotice] = useState<Notice | null>(null);
  const [dialog, ask] = useConfirm();

  const load = async (from: string | null) => {
    setLoading(true);
    try {
      const page = await api.get<Page<Token>>('/tokens', { status, userId, cursor: from, limit: 50 });
      setItems((prev) => (from ? [...prev, ...page.items] : page.items));
      setCursor(page.nextCursor);
    } catch (e) {
      setNotice({ kind: 'error', text: errorText(e, t) });
    } finally {
      setLoading(false);
    }
  };

  useEffect(() => {
    void load(null);
  }, [status, userId]);

  const revoke = async (tk: Token) => {
    const holder = tk.userId ? userName(users, tk.userId) : t('tok.unassigned');
    const yes = await ask({ title: t('tok.revokeTitle'), body: <p>{t('tok.revokeConfirm', { holder })}</p>, confirm: t('tok.revoke'), danger: true });
    if (!yes) return;
    try {
      const res = await api.del<{ token: Token }>(`/tokens/${encodeURIComponent(tk.id)}`, {});
      setItems((prev) => prev.map((x) => (x.id === tk.id ? res.token : x)));
      setNotice({ kind: 'success', text: t('tok.revoked') });
    } catch (e) {
      setNotice({ kind: 'error', text: e instanceof ApiError && e.status === 409 ? t('error.conflict') : errorText(e, t) });
      void load(null);
    }
  };

  const summary = [
    status && `${t('tok.filterStatus')}: ${t(`status.${status as (typeof STATUSES)[number]}`)}`,
    userId && `${t('tok.filterUser')}: ${userName(users, userId)}`,
  ].filter(Boolean) as string[];
  const holder = (tk: Token) => (tk.userId ? <UserLink users={users} id={tk.userId} /> : t('tok.unassigned'));
  const revokeButton = (tk: Token) =>
    tk.status === 'available' && (
      <button type="button" class="btn btn-small btn-danger" onClick={() => void revoke(tk)}>
        {t('tok.revoke')}
      </button>
    );

  return (
    <main id="main" class="screen wide">
      <h1>{t('tok.title')}</h1>
      <FilterPanel summary={summary} testid="token-filters">
        <div class="filters">
          <Field label={t('tok.filterStatus')}>
            {(a) => (
              <select {...a} name="status" value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
                <option value="">{t('common.all')}</option>
                {STATUSES.map((s) => (
                  <option key={s} value={s}>
                    {t(`status.${s}`)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label={t('tok.filterUser')}>{(a) => <UserSelect users={users} value={userId} onChange={setUserId} a11y={a} />}</Field>
        </div>
      </FilterPanel>
      <NoticeBar notice={notice} testid="tokens-msg" />
      {narrow ? (
        <ul class="list cards" data-testid="token-cards">
          {items.map((tk) => (
            <li key={tk.id} class="card" data-status={tk.status}>
              <p class="card-head">
                <StatusTag status={tk.status} /> <strong>{holder(tk)}</strong>
              </p>
              <dl class="facts">
                <div>
                  <dt>{t('col.length')}</dt>
                  <dd>{t('tok.digits', { count: tk.length })}</dd>
                </div>
                <div>
                  <dt>{t('col.created')}</dt>
                  <dd>{fmtDateTime(tk.createdAt, lang)}</dd>
                </div>
                <div>
                  <dt>{t('col.expires')}</dt>
                  <dd>{fmtDateTime(tk.expiresAt, lang)}</dd>
                </div>
                {tk.notes && (
                  <div>
                    <dt>{t('col.notes')}</dt>
                    <dd>{tk.notes}</dd>
                  </div>
                )}
              </dl>
              {revokeButton(tk)}
            </li>
          ))}
        </ul>
      ) : (
        <div class="table-wrap">
          <table data-testid="token-table">
            <thead>
              <tr>
                <th>{t('col.status')}</th>
                <th>{t('col.user')}</th>
                <th>{t('col.length')}</th>
                <th>{t('col.created')}</th>
                <th>{t('col.expires')}</th>
                <th>{t('col.notes')}</th>
                <th>
                  <span class="sr-only">{t('tok.revoke')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((tk) => (
                <tr key={tk.id} data-status={tk.status}>
                  <td>
                    <StatusTag status={tk.status} />
                  </td>
                  <td>{holder(tk)}</td>
                  <td>{t('tok.digits', { count: tk.length })}</td>
                  <td>{fmtDateTime(tk.createdAt, lang)}</td>
                  <td>{fmtDateTime(tk.expiresAt, lang)}</td>
                  <td>{tk.notes}</td>
                  <td>{revokeButton(tk)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ListFooter loading={loading} empty={items.length === 0} cursor={cursor} onMore={(c) => void load(c)} />
      {dialog}
    </main>
  );
}
