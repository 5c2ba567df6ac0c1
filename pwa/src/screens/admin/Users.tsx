// Users: search, add, change role (super_admin only, enforced by the API), activate, link Slack. A role
// change and a deactivation each ask first and can be undone from the message that follows.
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { api, ApiError } from '../../lib/api';
import { errorText, fieldErrors } from '../../lib/errors';
import { useT } from '../../lib/i18n';
import { useLoad } from '../../lib/hooks';
import { useSession } from '../../lib/session';
import type { Page, Role, User } from '../../lib/types';
import { Field } from '../../components/Field';
import { Link } from '../../components/Link';
import { useConfirm } from '../../components/ConfirmDialog';
import { invalidateUsers, NoticeBar, type Notice, useTitle } from './shared';

const ROLES: Role[] = ['staff', 'admin', 'super_admin'];

export function Users(): JSX.Element {
  const t = useT();
  useTitle(`${t('users.title')} · ${t('app.name')}`);
  const { me } = useSession();
  const superAdmin = me.user.role === 'super_admin';
  const [q, setQ] = useState('');
  const list = useLoad(() => api.get<Page<User>>('/users', { q, limit: 200 }), [q]);
  const [form, setForm] = useState({ username: '', name: '', role: 'staff' as Role, password: '', slackUserId: '' });
  const [errs, setErrs] = useState<Record<string, string>>({});
  const [msg, setMsg] = useState<Notice | null>(null);
  const [slackDraft, setSlackDraft] = useState<Record<string, string>>({});
  const [dialog, ask] = useConfirm();

  const fail = (e: unknown) => setMsg({ kind: 'error', text: e instanceof ApiError && e.status === 409 ? t('users.duplicate') : errorText(e, t) });

  const create = async (e: Event) => {
    e.preventDefault();
    setErrs({});
    try {
      const body: Record<string, string> = { username: form.username.trim(), name: form.name.trim(), role: form.role };
      if (form.password) body.password = form.password;
      if (form.slackUserId.trim()) body.slackUserId = form.slackUserId.trim();
      await api.post('/users', body);
      setForm({ username: '', name: '', role: 'staff', password: '', slackUserId: '' });
      setMsg({ kind: 'success', text: t('users.created') });
      invalidateUsers();
      list.reload();
    } catch (err) {
      setErrs(fieldErrors(err));
      fail(err);
    }
  };

  /** Apply a change; `text` and `undo` make the message that follows (undo applies `back`). */
  const update = async (
    u: User,
    body: Partial<Pick<User, 'role' | 'active' | 'slackUserId'>>,
    text = t('users.updated'),
    back?: Partial<Pick<User, 'role' | 'active'>>,
  ) => {
    try {
      await api.patch(`/users/${encodeURIComponent(u.id)}`, body);
      setMsg({ kind: 'success', text, ...(back && { undo: () => void update(u, back, t('users.undone')) }) });
      invalidateUsers();
    } catch (err) {
      fail(err);
    }
    list.reload();
  };

  const changeRole = async (u: User, role: Role, select: HTMLSelectElement) => {
    const from = t(`role.${u.role}`);
    const to = t(`role.${role}`);
    const yes = await ask({
      title: t('users.roleConfirmTitle', { name: u.name }),
      body: <p>{t('users.roleConfirmBody', { name: u.name, from, to })}</p>,
      confirm: t('users.roleConfirm', { role: to }),
    });
    if (!yes) {
      select.value = u.role;
      return;
    }
    await update(u, { role }, t('users.roleChanged', { name: u.name, role: to }), { role: u.role });
  };

  const setActive = async (u: User, active: boolean) => {
    if (!active) {
      const yes = await ask({
        title: t('users.deactivateTitle', { name: u.name }),
        body: <p>{t('users.deactivateBody')}</p>,
        confirm: t('users.deactivate'),
        danger: true,
      });
      if (!yes) return;
    }
    await update(u, { active }, active ? t('users.activated', { name: u.name }) : t('users.deactivated', { name: u.name }), { active: !active });
  };

  const input = (k: keyof typeof form) => (e: Event) => {
    const v = (e.currentTarget as HTMLInputElement).value;
    setForm((f) => ({ ...f, [k]: v }));
  };

  return (
    <main id="main" class="screen wide">
      <h1>{t('users.title')}</h1>
      <NoticeBar notice={msg} testid="users-msg" />
      <div class="cols">
        <section class="card">
          <h2>{t('users.list')}</h2>
          <Field label={t('users.search')}>{(a) => <input {...a} type="search" value={q} onChange={(e) => setQ(e.currentTarget.value)} />}</Field>
          {list.error && <p class="alert alert-error">{errorText(list.error, t)}</p>}
          <ul class="list" data-testid="users">
            {list.data?.items.map((u) => (
              <li key={u.id} class={u.active === false ? 'inactive' : ''}>
                <p>
                  <strong>{u.name}</strong> ({u.username}) · {t('users.available', { count: u.availableTokens ?? 0 })} ·{' '}
                  <Link href={`/admin/user-profile/${encodeURIComponent(u.id)}`}>{t('users.profile')}</Link>
                </p>
                <div class="row">
                  <label class="sr-only" for={`role-${u.id}`}>
                    {t('users.role')}
                  </label>
                  <select
                    id={`role-${u.id}`}
                    value={u.role}
                    disabled={!superAdmin || u.id === me.user.id}
                    onChange={(e) => void changeRole(u, e.currentTarget.value as Role, e.currentTarget)}
                  >
                    {ROLES.map((r) => (
                      <option key={r} value={r}>
                        {t(`role.${r}`)}
                      </option>
                    ))}
                  </select>
                  {u.id !== me.user.id && (
                    <button type="button" class="btn btn-small" onClick={() => void setActive(u, u.active === false)}>
                      {u.active === false ? t('users.activate') : t('users.deactivate')}
                    </button>
                  )}
                </div>
                <form
                  class="row"
                  onSubmit={(e) => {
                    e.preventDefault();
                    void update(u, { slackUserId: (slackDraft[u.id] ?? u.slackUserId ?? '').trim() || null });
                  }}
                >
                  <label class="sr-only" for={`slack-${u.id}`}>
                    {t('users.slack')}
                  </label>
                  <input
                    id={`slack-${u.id}`}
                    placeholder={t('users.slack')}
                    value={slackDraft[u.id] ?? u.slackUserId ?? ''}
                    onInput={(e) => {
                      const v = e.currentTarget.value;
                      setSlackDraft((d) => ({ ...d, [u.id]: v }));
                    }}
                  />
                  <button type="submit" class="btn btn-small">
                    {t('users.linkSlack')}
                  </button>
                </form>
              </li>
            ))}
          </ul>
        </section>
        <section class="card">
          <h2>{t('users.add')}</h2>
          <form onSubmit={create} noValidate>
            <Field label={t('users.username')} error={errs.username}>
              {(a) => <input {...a} name="username" autoCapitalize="none" autoComplete="off" required value={form.username} onInput={input('username')} />}
            </Field>
            <Field label={t('users.name')} error={errs.name}>
              {(a) => <input {...a} name="name" required value={form.name} onInput={input('name')} />}
            </Field>
            <Field label={t('users.role')} error={errs.role}>
              {(a) => (
                <select {...a} name="role" value={form.role} onChange={input('role')}>
                  {ROLES.filter((r) => superAdmin || r === 'staff').map((r) => (
                    <option key={r} value={r}>
                      {t(`role.${r}`)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label={t('users.password')} optional error={errs.password}>
              {(a) => <input {...a} name="password" type="password" autoComplete="new-password" value={form.password} onInput={input('password')} />}
            </Field>
            <Field label={t('users.slack')} optional error={errs.slackUserId}>
              {(a) => <input {...a} name="slackUserId" autoComplete="off" value={form.slackUserId} onInput={input('slackUserId')} />}
            </Field>
            <button type="submit" class="btn btn-primary">
              {t('users.create')}
            </button>
          </form>
        </section>
      </div>
      {dialog}
    </main>
  );
}
