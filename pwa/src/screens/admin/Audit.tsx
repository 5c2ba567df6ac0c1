// Audit trail: results first, filters behind one button with a line saying which apply; actions and
// details in words (./audit-text.ts); cards on a phone, a table on a wide screen. The CSV export uses
// exactly the same query as the list.
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, API_BASE, qs, type Query } from '../../lib/api';
import { actionName } from './audit-text';
import { errorText } from '../../lib/errors';
import { fmtDateTime, useI18n } from '../../lib/i18n';
import type { AuditAction, AuditEvent, Page } from '../../lib/types';
import { Field } from '../../components/Field';
import { Details, FilterPanel, ListFooter, userName, UserLink, UserSelect, useNarrow, useTitle, useUsers } from './shared';

export const ACTIONS = [
  'auth.login',
  'auth.logout',
  'token.generated',
  'token.validated',
  'token.revoked',
  'token.expired',
  'grant.cleared',
  'grant.reviewed',
  'request.created',
  'request.approved',
  'request.rejected',
  'request.expired',
  'record.created',
  'record.listed',
  'record.viewed',
  'user.viewed',
  'user.created',
  'user.updated',
  'lockout',
  'audit.exported',
  'audit.verified',
  'settings.updated',
  'outbox.retried',
] as const satisfies readonly AuditAction[];
// Every action the API records is offered as a filter: this fails to compile when one is missing.
const _everyAction: Exclude<AuditAction, (typeof ACTIONS)[number]> extends never ? true : false = true;
void _everyAction;

interface Filters {
  from: string;
  to: string;
  action: string;
  outcome: string;
  tokenStatus: string;
  userId: string;
}

const EMPTY: Filters = { from: '', to: '', action: '', outcome: '', tokenStatus: '', userId: '' };

/** Dates (yyyy-mm-dd, local) become the start of `from` and the end of `to`, as ISO instants. */
export function auditQuery(f: Filters): Query {
  return {
    from: f.from ? new Date(`${f.from}T00:00:00`).toISOString() : undefined,
    to: f.to ? new Date(`${f.to}T23:59:59.999`).toISOString() : undefined,
    action: f.action,
    outcome: f.outcome,
    tokenStatus: f.tokenStatus,
    userId: f.userId,
  };
}

export function Audit(): JSX.Element {
  const { t, lang } = useI18n();
  useTitle(`${t('audit.title')} · ${t('app.name')}`);
  const users = useUsers();
  const narrow = useNarrow();
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [applied, setApplied] = useState<Filters>(EMPTY);
  const [items, setItems] = useState<AuditEvent[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const load = async (from: string | null) => {
    setLoading(true);
    setError(null);
    try {
      const page = await api.get<Page<AuditEvent>>('/audit', { ...auditQuery(applied), cursor: from, limit: 50 });
      setItems((prev) => (from ? [...prev, ...page.items] : page.items));
      setCursor(page.nextCursor);
    } catch (e) {
      setError(errorText(e, t));
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => {
    void load(null);
  }, [applied]);

  const set = (k: keyof Filters) => (e: Event) => {
    const v = (e.currentTarget as HTMLInputElement).value;
    setDraft((d) => ({ ...d, [k]: v }));
  };
  const exportHref = `${API_BASE}/audit/export.csv${qs(auditQuery(applied))}`;
  const fhirHref = `${API_BASE}/audit/export.ndjson${qs(auditQuery(applied))}`;
  const summary = [
    applied.from && `${t('audit.from')}: ${applied.from}`,
    applied.to && `${t('audit.to')}: ${applied.to}`,
    applied.action && `${t('audit.action')}: ${actionName(applied.action, t)}`,
    applied.outcome && `${t('audit.outcome')}: ${t(applied.outcome === 'success' ? 'audit.success' : 'audit.failure')}`,
    applied.tokenStatus && `${t('audit.tokenStatus')}: ${t(`status.${applied.tokenStatus as 'available'}`)}`,
    applied.userId && `${t('audit.user')}: ${userName(users, applied.userId)}`,
  ].filter(Boolean) as string[];
  const outcomeTag = (ev: AuditEvent) => <span class={`tag tag-${ev.outcome}`}>{t(`audit.${ev.outcome}`)}</span>;

  return (
    <main id="main" class="screen wide">
      <h1>{t('audit.title')}</h1>
      <FilterPanel summary={summary} testid="audit-filters">
        <form
          class="filters"
          onSubmit={(e) => {
            e.preventDefault();
            setApplied({ ...draft });
          }}
        >
          <Field label={t('audit.from')}>{(a) => <input {...a} type="date" name="from" value={draft.from} onInput={set('from')} />}</Field>
          <Field label={t('audit.to')}>{(a) => <input {...a} type="date" name="to" value={draft.to} onInput={set('to')} />}</Field>
          <Field label={t('audit.action')}>
            {(a) => (
              <select {...a} name="action" value={draft.action} onChange={set('action')}>
                <option value="">{t('common.all')}</option>
                {ACTIONS.map((x) => (
                  <option key={x} value={x}>
                    {actionName(x, t)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label={t('audit.outcome')}>
            {(a) => (
              <select {...a} name="outcome" value={draft.outcome} onChange={set('outcome')}>
                <option value="">{t('common.all')}</option>
                <option value="success">{t('audit.success')}</option>
                <option value="failure">{t('audit.failure')}</option>
              </select>
            )}
          </Field>
          <Field label={t('audit.tokenStatus')}>
            {(a) => (
              <select {...a} name="tokenStatus" value={draft.tokenStatus} onChange={set('tokenStatus')}>
                <option value="">{t('common.all')}</option>
                {(['available', 'used', 'expired', 'revoked'] as const).map((s) => (
                  <option key={s} value={s}>
                    {t(`status.${s}`)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label={t('audit.user')}>
            {(a) => <UserSelect users={users} value={draft.userId} onChange={(v) => setDraft((d) => ({ ...d, userId: v }))} a11y={a} />}
          </Field>
          <div class="actions">
            <button type="submit" class="btn btn-primary">
              {t('common.apply')}
            </button>
            <button
              type="button"
              class="btn btn-secondary"
              onClick={() => {
                setDraft(EMPTY);
                setApplied(EMPTY);
              }}
            >
              {t('common.reset')}
            </button>
          </div>
        </form>
      </FilterPanel>
      <div class="actions">
        <a class="btn btn-small" href={exportHref} download data-testid="audit-export">
          {t('audit.export')}
        </a>
        <a class="btn btn-small btn-secondary" href={fhirHref} download data-testid="audit-export-fhir">
          {t('audit.exportFhir')}
        </a>
      </div>
      {error && (
        <p class="alert alert-error" role="alert">
          {error}
        </p>
      )}
      {narrow ? (
        <ul class="list cards" data-testid="audit-cards">
          {items.map((ev) => (
            <li key={ev.id} class="card" data-action={ev.action}>
              <p class="card-head">
                <strong class="event-action">{actionName(ev.action, t)}</strong> {outcomeTag(ev)}
              </p>
              <p class="muted">
                <time dateTime={ev.at}>{fmtDateTime(ev.at, lang)}</time>
              </p>
              <dl class="facts">
                <div>
                  <dt>{t('col.actor')}</dt>
                  <dd>
                    <UserLink users={users} id={ev.actorId} />
                  </dd>
                </div>
                <div>
                  <dt>{t('col.user')}</dt>
                  <dd>
                    <UserLink users={users} id={ev.subjectUserId} />
                  </dd>
                </div>
              </dl>
              <Details value={ev.details} users={users} />
            </li>
          ))}
        </ul>
      ) : (
        <div class="table-wrap">
          <table data-testid="audit-table">
            <thead>
              <tr>
                <th>{t('col.when')}</th>
                <th>{t('col.action')}</th>
                <th>{t('col.outcome')}</th>
                <th>{t('col.actor')}</th>
                <th>{t('col.user')}</th>
                <th>{t('col.details')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((ev) => (
                <tr key={ev.id} data-action={ev.action}>
                  <td>{fmtDateTime(ev.at, lang)}</td>
                  <td class="event-action">{actionName(ev.action, t)}</td>
                  <td>{outcomeTag(ev)}</td>
                  <td>
                    <UserLink users={users} id={ev.actorId} />
                  </td>
                  <td>
                    <UserLink users={users} id={ev.subjectUserId} />
                  </td>
                  <td>
                    <Details value={ev.details} users={users} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ListFooter loading={loading} empty={items.length === 0} cursor={cursor} onMore={(c) => void load(c)} />
    </main>
  );
}
