import { z } from '@hono/zod-openapi';
import { stream } from 'hono/streaming';
import { exportAuditNdjson } from '../../domain/audit-ndjson';
import { requireAdmin } from '../../domain/context';
import { actorOf } from '../../http/session';
import { defineRoute, pick } from '../helpers';
import type { App } from '../types';
import { AuditFilterQuery } from './filters';

/** FHIR's own media type for NDJSON (bulk data); collectors that only know NDJSON read it as that. */
export const FHIR_NDJSON = 'application/fhir+ndjson';

const route = defineRoute('admin', {
  operationId: 'exportAuditFhirNdjson',
  method: 'get',
  path: '/audit/export.ndjson',
  tags: ['audit'],
  summary: 'The filtered audit trail as FHIR R4 AuditEvent resources (IHE BALP), one per line, streamed (admin)',
  description:
    'Same filters and order (newest first) as the CSV export. Each line is one FHIR R4 `AuditEvent`: type/subtype (DICOM security events or RESTful interactions, and the action code under `urn:emergency-token:audit-action`), action, recorded, outcome, the user as requestor agent, this server as source, token/grant/request/record/user/patient entities, and purposeOfUse BTG (v3 ActReason) on validations and accesses under a grant. The export is itself audited.',
  request: { query: z.object(AuditFilterQuery) },
  responses: {
    200: { content: { [FHIR_NDJSON]: { schema: z.string() } }, description: 'NDJSON: one FHIR AuditEvent resource per line' },
    ...pick(400, 401, 403),
  },
});

export function registerExportAuditNdjson(app: App) {
  app.openapi(route, async (c) => {
    const actor = actorOf(c);
    requireAdmin(actor); // refuse before the 200 and headers go out
    const lines = exportAuditNdjson(c.get('ctx'), actor, c.req.valid('query'));
    // The export's own audit event and the first batch happen before the 200 goes out, so a database
    // that is down is a 503, not a 200 with a broken file.
    const first = await lines.next();
    c.header('Content-Type', `${FHIR_NDJSON}; charset=utf-8`);
    c.header('Content-Disposition', `attachment; filename="audit-${new Date().toISOString().slice(0, 10)}.ndjson"`);
    c.header('Cache-Control', 'no-store');
    return stream(
      c,
      async (s) => {
        s.onAbort(() => void lines.return(undefined));
        if (!first.done) await s.write(first.value);
        for await (const chunk of lines) await s.write(chunk);
      },
      async (err, s) => {
        c.get('logger').error({ err }, 'audit NDJSON export failed mid-stream');
        // Not a resource: a collector that parses every line stops here instead of taking a short file as whole.
        await s.write('{"error":"export interrupted: incomplete file"}\n');
      },
    ) as never;
  });
}
