// The audit trail's integrity, for admins on the monitoring screen: the last verification of the hash
// chains (when, by whom, clean or where it broke) and the last signed checkpoint (GET /audit/verification);
// a super_admin can verify now (GET /audit/verify, recorded like any run).
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import type { z } from '@hono/zod-openapi';
import type { AuditCheckpointSchema, AuditEventSchema, AuditVerificationSchema } from '../../../../api/routes/schemas';
import { api } from '../../lib/api';
import { errorText } from '../../lib/errors';
import { useLoad } from '../../lib/hooks';
import { fmtDateTime, useI18n } from '../../lib/i18n';
import { useSession } from '../../lib/session';
import { NoticeBar, type Notice } from './shared';

interface Last {
  verification: z.infer<typeof AuditEventSchema> | null;
  checkpoint: z.infer<typeof AuditCheckpointSchema> | null;
}

export function AuditIntegrity(): JSX.Element | null {
  const { t, lang } = useI18n();
  const { me } = useSession();
  const last = useLoad(() => api.get<Last>('/audit/verification'), []);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<Notice | null>(null);
  if (!last.data) return null;
  const v = last.data.verification;
  const cp = last.data.checkpoint;
  const d = (v?.details ?? {}) as { events?: number; breaks?: number; eventId?: string | null };

  const verifyNow = async () => {
    setBusy(true);
    setNotice(null);
    try {
      const r = await api.get<z.infer<typeof AuditVerificationSchema>>('/audit/verify');
      setNotice(
        r.ok
          ? { kind: 'success', text: t('integrity.cleanNow', { count: r.events }) }
          : { kind: 'error', text: t('integrity.brokenNow', { event: r.firstBreak?.eventId ?? '?' }) },
      );
      last.reload();
    } catch (e) {
      setNotice({ kind: 'error', text: errorText(e, t) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card" aria-labelledby="integrity-title" data-testid="audit-integrity">
      <h2 id="integrity-title">{t('integrity.title')}</h2>
      {!v && <p class="muted">{t('integrity.never')}</p>}
      {v && (
        <p class={v.outcome === 'success' ? 'muted' : 'alert alert-error'} data-testid="integrity-last" data-ok={String(v.outcome === 'success')}>
          {v.outcome === 'success' ? t('integrity.clean', { count: d.events ?? 0 }) : t('integrity.broken', { count: d.breaks ?? 0, event: d.eventId ?? '?' })}{' '}
          <time dateTime={v.at}>{fmtDateTime(v.at, lang)}</time>
        </p>
      )}
      <p class="muted" data-testid="integrity-checkpoint">
        {cp ? (
          <>
            {t('integrity.checkpoint', { count: cp.events })} <time dateTime={cp.at}>{fmtDateTime(cp.at, lang)}</time>
          </>
        ) : (
          t('integrity.noCheckpoint')
        )}
      </p>
      {me.user.role === 'super_admin' && (
        <button type="button" class="btn btn-small" disabled={busy} onClick={() => void verifyNow()}>
          {busy ? t('integrity.verifying') : t('integrity.verify')}
        </button>
      )}
      <NoticeBar notice={notice} testid="integrity-notice" />
    </section>
  );
}
