// Token list: filter by status and user, keyset pagination, revoke.
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../../lib/api';
import { errorText } from '../../lib/errors';
import { fmtDateTime, useI18n } from '../../lib/i18n';
import type { Page, Token } from '../../lib/types';
import { Field } from '../../components/Field';
import { LiveRegion } from '../../components/Alert';
import { StatusTag } from '../../components/StatusTag';
import { ListFooter, UserLink, UserSelect, useTitle, useUsers } from './shared';

const STATUSES = ['available', 'used', 'expired', 'revoked'] as const;

export function Tokens(): JSX.Element {
  const { t, lang } = useI18n();
  useTitle(`${t('tok.title')} · ${t('app.name')}`);
  const users = useUsers();
  const [status, setStatus] = useState('');
  const [userId, setUserId] = useState('');
  const [items, setItems] = useState<Token[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [msg, setMsg] = useState<{ kind: 'success' | 'error'; text: string } | null>(null);

  const load = async (from: string | null) => {
    setLoading(true);
    try {
      const page = await api.get<Page<Token>>('/tokens', { status, userId, cursor: from, limit: 50 });
      setItems((prev) => (from ? [...prev, ...page.items] : page.items));
      setCursor(page.nextCursor);
    } catch (e) {
      setMsg({ kind: 'error', text: errorText(e, t) });
    } finally {
      setLoading(false);
    }
  };

  useEffect(() => {
    void load(null);
  }, [status, userId]);

  const revoke = async (tk: Token) => {
    if (!confirm(t('tok.revokeConfirm'))) return;
    try {
      const res = await api.del<{ token: Token }>(`/tokens/${encodeURIComponent(tk.id)}`, {});
      setItems((prev) => prev.map((x) => (x.id === tk.id ? res.token : x)));
      setMsg({ kind: 'success', text: t('tok.revoked') });
    } catch (e) {
      setMsg({ kind: 'error', text: e instanceof ApiError && e.status === 409 ? t('error.conflict') : errorText(e, t) });
      void load(null);
    }
  };

  return (
    <main id="main" class="screen wide">
      <h1>{t('tok.title')}</h1>
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
      <LiveRegion>{msg && <p class={`alert alert-${msg.kind}`}>{msg.text}</p>}</LiveRegion>
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
              <tr key={tk.id}>
                <td>
                  <StatusTag status={tk.status} />
                </td>
                <td>{tk.userId ? <UserLink users={users} id={tk.userId} /> : t('tok.unassigned')}</td>
                <td>{tk.length}</td>
                <td>{fmtDateTime(tk.createdAt, lang)}</td>
                <td>{fmtDateTime(tk.expiresAt, lang)}</td>
                <td>{tk.notes}</td>
                <td>
                  {tk.status === 'available' && (
                    <button type="button" class="btn btn-small btn-danger" onClick={() => void revoke(tk)}>
                      {t('tok.revoke')}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <ListFooter loading={loading} empty={items.length === 0} cursor={cursor} onMore={(c) => void load(c)} />
    </main>
  );
}
