// Users: search, add, change role (super_admin only, enforced by the API), activate, link Slack.
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { api, ApiError } from '../../lib/api';
import { errorText, fieldErrors } from '../../lib/errors';
import { useT } from '../../lib/i18n';
import { useLoad } from '../../lib/hooks';
import { useSession } from '../../lib/session';
import type { Page, Role, User } from '../../lib/types';
import { Field } from '../../components/Field';
import { LiveRegion } from '../../components/Alert';
import { Link } from '../../components/Link';
import { invalidateUsers, useTitle } from './shared';

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
  const [msg, setMsg] = useState<{ kind: 'success' | 'error'; text: string } | null>(null);
  const [slackDraft, setSlackDraft] = useState<Record<string, string>>({});

  const fail = (e: unknown) =>
    setMsg({ kind: 'error', text: e instanceof ApiError && e.status === 409 ? t('users.duplicate') : errorText(e, t) });

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

  const update = async (u: User, body: Partial<Pick<User, 'role' | 'active' | 'slackUserId'>>) => {
    try {
      await api.patch(`/users/${encodeURIComponent(u.id)}`, body);
      setMsg({ kind: 'success', text: t('users.updated') });
      invalidateUsers();
    } catch (err) {
      fail(err);
    }
    list.reload();
  };

  const input = (k: keyof typeof form) => (e: Event) => {
    const v = (e.currentTarget as HTMLInputElement).value;
    setForm((f) => ({ ...f, [k]: v }));
  };

  return (
    <main id="main" class="screen wide">
      <h1>{t('users.title')}</h1>
      <LiveRegion testid="users-msg">{msg && <p class={`alert alert-${msg.kind}`}>{msg.text}</p>}</LiveRegion>
      <div class="cols">
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
        <section class="card">
          <Field label={t('users.search')}>{(a) => <input {...a} type="search" value={q} onChange={(e) => setQ(e.currentTarget.value)} />}</Field>
          {list.error && <p class="alert alert-error">{errorText(list.error, t)}</p>}
          <ul class="list" data-testid="users">
            {list.data?.items.map((u) => (
              <li key={u.id} class={u.active === false ? 'inactive' : ''}>
                <p>
                  <strong>{u.name}</strong> ({u.username}) · {u.availableTokens ?? '–'} · <Link href={`/admin/user-profile/${encodeURIComponent(u.id)}`}>{t('users.profile')}</Link>
                </p>
                <div class="row">
                  <label class="sr-only" for={`role-${u.id}`}>
                    {t('users.role')}
                  </label>
                  <select id={`role-${u.id}`} value={u.role} disabled={!superAdmin || u.id === me.user.id} onChange={(e) => void update(u, { role: e.currentTarget.value as Role })}>
                    {ROLES.map((r) => (
                      <option key={r} value={r}>
                        {t(`role.${r}`)}
                      </option>
                    ))}
                  </select>
                  {u.id !== me.user.id && (
                    <button type="button" class="btn btn-small" onClick={() => void update(u, { active: u.active === false })}>
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
      </div>
    </main>
  );
}
