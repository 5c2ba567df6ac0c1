// How Slack delivery stands, for admins on the monitoring screen: whether Slack is connected, how many
// messages wait, and each message that could not be delivered (a dead letter) with what it was, Slack's
// reason, what to do about it, and a Retry (GET /dead-letters, POST /dead-letters/{id}/retry). Shown
// only when the server has Slack configured or something is undelivered.
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import type { z } from '@hono/zod-openapi';
import type { ListDeadLettersResponse } from '../../../../api/routes/dead-letters/list';
import type { DeadLetterSchema } from '../../../../api/routes/schemas';
import { api } from '../../lib/api';
import { errorText } from '../../lib/errors';
import { useLoad } from '../../lib/hooks';
import { fmtDateTime, hasMessage, useI18n, type T } from '../../lib/i18n';
import { NoticeBar, type Notice } from './shared';

type DeadLetter = z.infer<typeof DeadLetterSchema>;

const PERSON_GONE = new Set(['user_not_found', 'account_inactive', 'user_disabled', 'cannot_dm_bot']);

/** What the message was, in words (falls back for kinds added later). */
export function deliveryKind(kind: string, t: T): string {
  const key = `dl.kind.${kind}`;
  return hasMessage(key) ? t(key) : t('dl.kind.other');
}

/** What to do about Slack's reason. */
export function deliveryHint(reason: string | null, t: T): string {
  if (reason && PERSON_GONE.has(reason)) return t('dl.hint.person');
  const key = `dl.hint.${reason}`;
  return reason && hasMessage(key) ? t(key) : t('dl.hint.other');
}

export function DeadLetters(): JSX.Element | null {
  const { t, lang } = useI18n();
  const list = useLoad(() => api.get<ListDeadLettersResponse>('/dead-letters', { limit: 20 }), []);
  const [notice, setNotice] = useState<Notice | null>(null);
  const [busy, setBusy] = useState<number | null>(null);
  const data = list.data;
  // Nothing to say until the list is in (a failed load is the monitoring screen's own error to show).
  if (!data) return null;
  if (data.delivery.slack.state === 'off' && data.items.length === 0) return null;

  const retry = async (d: DeadLetter) => {
    setBusy(d.id);
    try {
      await api.post(`/dead-letters/${d.id}/retry`, {});
      setNotice({ kind: 'success', text: t('dl.retried') });
      list.reload();
    } catch (e) {
      setNotice({ kind: 'error', text: errorText(e, t) });
    } finally {
      setBusy(null);
    }
  };

  const delivery = data.delivery;
  const state = delivery.slack.state;
  const reason = delivery.slack.reason ?? '';
  return (
    <section class="card" aria-labelledby="dl-title" data-testid="dead-letters">
      <h2 id="dl-title">{t('dl.title')}</h2>
      {state && state !== 'off' && (
        <p class={state === 'up' ? 'muted' : 'alert alert-error'} data-testid="slack-state" data-state={state}>
          {t(`dl.state.${state}`, { reason })}
        </p>
      )}
      {delivery.pending > 0 && (
        <p class="muted">{t('dl.pending', { count: delivery.pending, minutes: Math.ceil((delivery.oldestPendingSeconds ?? 0) / 60) })}</p>
      )}
      {data.items.length === 0 && <p class="muted">{t('dl.none')}</p>}
      {data.items.length > 0 && (
        <>
          <h3>{t('dl.deadTitle', { count: delivery.dead })}</h3>
          <ul class="list" data-testid="dead-letter-list">
            {data.items.map((d) => {
              const what = deliveryKind(d.kind, t);
              return (
                <li key={d.id} data-dead-letter={d.id}>
                  <p>
                    <strong>{what}</strong> · <code>{d.reason ?? '?'}</code>
                    {d.deadAt && (
                      <>
                        {' · '}
                        <time dateTime={d.deadAt}>{fmtDateTime(d.deadAt, lang)}</time>
                      </>
                    )}
                  </p>
                  <p class="muted">{deliveryHint(d.reason, t)}</p>
                  <button type="button" class="btn btn-small" disabled={busy === d.id} aria-label={t('dl.retryLabel', { what })} onClick={() => void retry(d)}>
                    {t('dl.retry')}
                  </button>
                </li>
              );
            })}
          </ul>
        </>
      )}
      <NoticeBar notice={notice} testid="dead-letters-notice" />
    </section>
  );
}
