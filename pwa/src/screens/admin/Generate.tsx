// Generate tokens. The plaintext comes back once, in this response only: copy, download or print it. It is
// kept in memory (never storage) until "Done", so the idle lock does not lose it, and leaving asks first.
// The CSV neutralises spreadsheet formulas exactly as the server's audit export does.
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { api } from '../../lib/api';
import { csvLine } from '../../lib/csv';
import { useKept } from '../../lib/memory';
import { errorText, fieldErrors } from '../../lib/errors';
import { fmtDateTime, useI18n } from '../../lib/i18n';
import type { PlainToken } from '../../lib/types';
import { Field } from '../../components/Field';
import { LiveRegion } from '../../components/Alert';
import { LeaveGuard } from '../../components/LeaveGuard';
import { useSession } from '../../lib/session';
import { invalidateUsers, userName, UserSelect, useTitle, useUsers } from './shared';

export function Generate(): JSX.Element {
  const { t, lang } = useI18n();
  useTitle(`${t('gen.title')} · ${t('app.name')}`);
  const users = useUsers();
  const [count, setCount] = useState('10');
  const [length, setLength] = useState('6');
  const [userId, setUserId] = useState('');
  const [notes, setNotes] = useState('');
  const [days, setDays] = useState('');
  const [busy, setBusy] = useState(false);
  const [errs, setErrs] = useState<Record<string, string>>({});
  const [msg, setMsg] = useState<{ kind: 'success' | 'error'; text: string } | null>(null);
  const { me } = useSession();
  const [kept, setKept] = useKept<{ userId: string; tokens: PlainToken[] }>('generated-tokens');
  const result = kept && kept.userId === me.user.id ? kept.tokens : null;
  const setResult = (tokens: PlainToken[] | null) => setKept(tokens ? { userId: me.user.id, tokens } : null);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setMsg(null);
    setErrs({});
    try {
      const body: Record<string, unknown> = { count: Number(count), length: Number(length), userId: userId || null };
      if (notes.trim()) body.notes = notes.trim();
      if (days) body.expiresInDays = Number(days);
      const res = await api.post<{ tokens: PlainToken[] }>('/tokens/generate', body);
      setResult(res.tokens);
      invalidateUsers();
      setMsg({ kind: 'success', text: t('gen.generated', { count: res.tokens.length }) });
    } catch (err) {
      setErrs(fieldErrors(err));
      setMsg({ kind: 'error', text: errorText(err, t) });
    } finally {
      setBusy(false);
    }
  };

  const csv = () =>
    ['token,assignee,expiresAt,notes', ...(result ?? []).map((r) => csvLine([r.token, r.userId ? userName(users, r.userId) : '', r.expiresAt, r.notes]))].join(
      '\r\n',
    ) + '\r\n';

  const download = () => {
    const url = URL.createObjectURL(new Blob([csv()], { type: 'text/csv' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `tokens-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')}.csv`;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };

  const copy = async () => {
    try {
      await navigator.clipboard.writeText((result ?? []).map((r) => r.token).join('\n'));
      setMsg({ kind: 'success', text: t('gen.copied') });
    } catch (err) {
      setMsg({ kind: 'error', text: errorText(err, t) });
    }
  };

  if (result) {
    return (
      <main id="main" class="screen wide">
        <h1>{t('gen.title')}</h1>
        <p class="alert alert-warning no-print" role="alert">
          {t('gen.once')}
        </p>
        <LiveRegion>{msg && <p class={`alert alert-${msg.kind} no-print`}>{msg.text}</p>}</LiveRegion>
        <div class="actions no-print">
          <button type="button" class="btn" onClick={() => void copy()}>
            {t('gen.copy')}
          </button>
          <button type="button" class="btn" onClick={download} data-testid="download-csv">
            {t('gen.download')}
          </button>
          <button type="button" class="btn" onClick={() => window.print()}>
            {t('gen.print')}
          </button>
          <button type="button" class="btn btn-secondary" onClick={() => setResult(null)}>
            {t('gen.done')}
          </button>
        </div>
        <LeaveGuard active options={{ title: t('gen.leaveTitle'), body: <p>{t('gen.leaveBody')}</p>, confirm: t('common.leave'), cancel: t('common.stay') }} />
        <ol class="plain-tokens print-area" data-testid="generated">
          {result.map((r) => (
            <li key={r.id}>
              <code>{r.token}</code>
              <span class="muted">
                {' '}
                {r.userId ? userName(users, r.userId) : t('tok.unassigned')} · {t('col.expires')} {fmtDateTime(r.expiresAt, lang)}
              </span>
            </li>
          ))}
        </ol>
      </main>
    );
  }

  return (
    <main id="main" class="screen narrow">
      <h1>{t('gen.title')}</h1>
      <form onSubmit={submit} noValidate>
        <Field label={t('gen.count')} error={errs.count}>
          {(a) => (
            <input
              {...a}
              name="count"
              type="number"
              inputMode="numeric"
              min={1}
              max={1000}
              required
              value={count}
              onInput={(e) => setCount(e.currentTarget.value)}
            />
          )}
        </Field>
        <Field label={t('gen.length')} hint={t('gen.lengthAdvice')} error={errs.length}>
          {(a) => (
            <select {...a} name="length" value={length} onChange={(e) => setLength(e.currentTarget.value)}>
              <option value="6">6</option>
              <option value="5">5</option>
              <option value="4">4</option>
            </select>
          )}
        </Field>
        <Field label={t('gen.assignee')} error={errs.userId}>
          {(a) => <UserSelect users={users} value={userId} onChange={setUserId} a11y={a} allLabel={t('tok.unassigned')} />}
        </Field>
        <Field label={t('gen.notes')} optional error={errs.notes}>
          {(a) => <input {...a} name="notes" maxLength={500} value={notes} onInput={(e) => setNotes(e.currentTarget.value)} />}
        </Field>
        <Field label={t('gen.expiry')} optional error={errs.expiresInDays}>
          {(a) => (
            <input
              {...a}
              name="expiresInDays"
              type="number"
              inputMode="numeric"
              min={1}
              max={365}
              value={days}
              onInput={(e) => setDays(e.currentTarget.value)}
            />
          )}
        </Field>
        <LiveRegion>{msg && <p class={`alert alert-${msg.kind}`}>{msg.text}</p>}</LiveRegion>
        <button type="submit" class="btn btn-big btn-primary" disabled={busy}>
          {t('gen.submit')}
        </button>
      </form>
    </main>
  );
}
