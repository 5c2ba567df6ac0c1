// My stock, a request form, my requests and their status, and the one-time reveal of new tokens
// for users without a Slack link (who would otherwise get them by DM). Revealed tokens stay on screen
// (in memory, never storage) until she confirms she has noted them, and leaving first asks.
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api } from '../lib/api';
import { useKept } from '../lib/memory';
import { errorText, fieldErrors } from '../lib/errors';
import { fmtDateTime, useI18n } from '../lib/i18n';
import { useLoad } from '../lib/hooks';
import { useLiveEvents } from '../lib/events';
import { DEFAULT_LOW_THRESHOLD, useSession } from '../lib/session';
import type { MyTokens as Mine, Page, TokenRequest } from '../lib/types';
import { Field } from '../components/Field';
import { LiveRegion } from '../components/Alert';
import { Stock } from '../components/Stock';
import { StatusTag } from '../components/StatusTag';
import { LeaveGuard } from '../components/LeaveGuard';

interface Revealed {
  userId: string;
  tokens: { id: string; token: string; expiresAt: string | null }[];
}

export function MyTokens(): JSX.Element {
  const { t, lang } = useI18n();
  const { me, refresh } = useSession();
  const mine = useLoad(() => api.get<Mine>('/tokens/mine'), []);
  const requests = useLoad(() => api.get<Page<TokenRequest>>('/token-requests', { userId: me.user.id, limit: 50 }), []);
  const [quantity, setQuantity] = useState('5');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [msg, setMsg] = useState<{ kind: 'success' | 'error'; text: string } | null>(null);
  const [errs, setErrs] = useState<Record<string, string>>({});
  const [kept, setKept] = useKept<Revealed>('revealed-tokens');
  const revealed = kept && kept.userId === me.user.id ? kept.tokens : null;
  const [revealMsg, setRevealMsg] = useState<string | null>(null);

  useEffect(() => {
    document.title = `${t('tokens.title')} · ${t('app.name')}`;
  }, [t]);

  useLiveEvents(
    (e) => {
      if (e.userId && e.userId !== me.user.id) return;
      mine.reload();
      requests.reload();
    },
    ['open', 'request.created', 'request.decided', 'token.generated', 'token.used', 'token.revoked'],
  );

  const submit = async (e: Event) => {
    e.preventDefault();
    const q = Number(quantity);
    if (!Number.isInteger(q) || q < 1) {
      setErrs({ quantity: t('tokens.quantityRequired') });
      return;
    }
    setErrs({});
    setBusy(true);
    setMsg(null);
    try {
      const body: Record<string, string | number> = { quantity: q };
      if (reason.trim()) body.reason = reason.trim();
      await api.post('/token-requests', body);
      setMsg({ kind: 'success', text: t('tokens.sent') });
      setReason('');
      requests.reload();
    } catch (err) {
      setErrs(fieldErrors(err));
      setMsg({ kind: 'error', text: errorText(err, t) });
    } finally {
      setBusy(false);
    }
  };

  const reveal = async () => {
    try {
      const res = await api.post<{ tokens: { id: string; token: string; expiresAt: string | null }[] }>('/tokens/reveal', {});
      setKept({ userId: me.user.id, tokens: res.tokens });
      mine.reload();
    } catch (err) {
      setMsg({ kind: 'error', text: errorText(err, t) });
    }
  };

  const copy = async () => {
    try {
      await navigator.clipboard.writeText((revealed ?? []).map((r) => r.token).join('\n'));
      setRevealMsg(t('tokens.copied'));
    } catch (err) {
      setRevealMsg(errorText(err, t));
    }
  };

  const available = mine.data?.available ?? me.tokens.available;
  const pending = mine.data?.pendingReveal ?? 0;
  useEffect(() => {
    if (mine.data && mine.data.available !== me.tokens.available) void refresh();
  }, [mine.data]);

  return (
    <main id="main" class="screen narrow">
      <h1>{t('tokens.title')}</h1>
      <Stock available={available} threshold={me.lowTokenThreshold ?? DEFAULT_LOW_THRESHOLD} />

      {revealed && (
        <section class="card reveal" aria-labelledby="revealed-title" data-testid="revealed">
          {revealed.length ? (
            <>
              <h2 id="revealed-title">{t('tokens.revealedTitle')}</h2>
              <p class="alert alert-warning">{t('tokens.revealed')}</p>
              <ul class="plain-tokens">
                {revealed.map((r) => (
                  <li key={r.id}>
                    <code>{r.token}</code> <span class="muted">{t('tokens.expires', { date: fmtDateTime(r.expiresAt, lang) })}</span>
                  </li>
                ))}
              </ul>
              <LiveRegion testid="reveal-msg">{revealMsg && <p class="alert alert-success">{revealMsg}</p>}</LiveRegion>
              <div class="actions">
                <button type="button" class="btn" onClick={() => void copy()}>
                  {t('tokens.copy')}
                </button>
                <button type="button" class="btn btn-primary" onClick={() => setKept(null)} data-testid="noted">
                  {t('tokens.noted')}
                </button>
              </div>
            </>
          ) : (
            <>
              <h2 id="revealed-title">{t('tokens.revealedTitle')}</h2>
              <p>{t('tokens.revealNone')}</p>
              <button type="button" class="btn" onClick={() => setKept(null)}>
                {t('common.close')}
              </button>
            </>
          )}
        </section>
      )}
      <LeaveGuard
        active={Boolean(revealed?.length)}
        options={{ title: t('tokens.leaveTitle'), body: <p>{t('tokens.leaveBody')}</p>, confirm: t('common.leave'), cancel: t('common.stay') }}
      />
      {!revealed && pending > 0 && !me.user.slackUserId && (
        <section class="card">
          <p>{t('tokens.revealHint')}</p>
          <button type="button" class="btn btn-primary" onClick={reveal} data-testid="reveal">
            {t('tokens.reveal', { count: pending })}
          </button>
        </section>
      )}

      <section class="card">
        <h2>{t('tokens.request')}</h2>
        <form onSubmit={submit} noValidate>
          <Field label={t('tokens.quantity')} error={errs.quantity}>
            {(a) => (
              <input
                {...a}
                name="quantity"
                type="number"
                inputMode="numeric"
                min={1}
                max={50}
                required
                value={quantity}
                onInput={(e) => setQuantity(e.currentTarget.value)}
              />
            )}
          </Field>
          <Field label={t('tokens.reason')} optional error={errs.reason}>
            {(a) => <textarea {...a} name="reason" rows={2} maxLength={500} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />}
          </Field>
          <LiveRegion testid="request-msg">{msg && <p class={`alert alert-${msg.kind}`}>{msg.text}</p>}</LiveRegion>
          <button type="submit" class="btn btn-big btn-primary" disabled={busy}>
            {t('tokens.submit')}
          </button>
        </form>
      </section>

      <section class="card">
        <h2>{t('tokens.myRequests')}</h2>
        {requests.error && <p class="alert alert-error">{errorText(requests.error, t)}</p>}
        {requests.data && requests.data.items.length === 0 && <p class="muted">{t('common.none')}</p>}
        <ul class="list" data-testid="my-requests">
          {requests.data?.items.map((r) => (
            <li key={r.id}>
              <StatusTag status={r.status} /> <strong>{t('profile.requested', { count: r.quantity })}</strong> · {fmtDateTime(r.createdAt, lang)}
              {r.reason && <div class="muted">{r.reason}</div>}
              {r.decisionNote && <div class="muted">{r.decisionNote}</div>}
            </li>
          ))}
        </ul>
      </section>

      <section class="card">
        <h2>{t('tokens.myTokens')}</h2>
        {mine.data && mine.data.items.length === 0 && <p class="muted">{t('common.none')}</p>}
        <ul class="list">
          {mine.data?.items.slice(0, 50).map((tk) => (
            <li key={tk.id}>
              <StatusTag status={tk.status} /> {t('tok.digits', { count: tk.length })} · {t('col.expires')}: {fmtDateTime(tk.expiresAt, lang)}
            </li>
          ))}
        </ul>
      </section>
    </main>
  );
}
