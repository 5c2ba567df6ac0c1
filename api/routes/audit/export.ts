import { z } from '@hono/zod-openapi';
import { stream } from 'hono/streaming';
import { exportAuditCsv } from '../../domain/audit';
import { requireAdmin } from '../../domain/context';
import { actorOf } from '../../http/session';
import { defineRoute, pick } from '../helpers';
import type { App } from '../types';
import { AuditFilterQuery } from './filters';

const route = defineRoute('admin', {
  operationId: 'exportAuditCsv',
  method: 'get',
  path: '/audit/export.csv',
  tags: ['audit'],
  summary: 'The filtered audit trail as CSV, streamed (admin)',
  request: { query: z.object(AuditFilterQuery) },
  responses: { 200: { content: { 'text/csv': { schema: z.string() } }, description: 'CSV: a header row, then one row per event' }, ...pick(400, 401, 403) },
});

export function registerExportAudit(app: App) {
  app.openapi(route, async (c) => {
    const actor = actorOf(c);
    requireAdmin(actor); // refuse before the 200 and headers go out
    const rows = exportAuditCsv(c.get('ctx'), actor, c.req.valid('query'));
    // The first steps (the export's own audit event, the header, the first batch) run before the 200 goes
    // out, so a database that is down is a 503, not a 200 with a broken file.
    const head: Array<string | Uint8Array> = [];
    for (let i = 0; i < 2; i++) {
      const next = await rows.next();
      if (next.done) break;
      head.push(next.value);
    }
    c.header('Content-Type', 'text/csv; charset=utf-8');
    c.header('Content-Disposition', `attachment; filename="audit-${new Date().toISOString().slice(0, 10)}.csv"`);
    c.header('Cache-Control', 'no-store');
    return stream(
      c,
      async (s) => {
        s.onAbort(() => void rows.return(undefined));
        for (const chunk of head) await s.write(chunk);
        for await (const chunk of rows) await s.write(chunk);
      },
      async (err, s) => {
        c.get('logger').error({ err }, 'audit export failed mid-stream');
        await s.write('\r\n# export interrupted: incomplete file\r\n');
      },
    ) as never;
  });
}
