// `audit export`: the filtered audit trail as CSV or as FHIR AuditEvent NDJSON (--format ndjson), the same
// files the API's exports stream.
// `audit verify`: walk the hash chains and the signed checkpoints; exit 1 when anything is broken.
// `audit checkpoint`: take a signed checkpoint of every chain head now.
import { createWriteStream } from 'node:fs';
import { auditActions, exportAuditCsv, type AuditAction } from '../api/domain/audit';
import { takeCheckpoint } from '../api/domain/audit-checkpoints';
import { exportAuditNdjson } from '../api/domain/audit-ndjson';
import { verifyAudit } from '../api/domain/audit-verify';
import { findUserByUsername } from '../api/domain/users';
import { text, UsageError, VerdictError, type CommandGroup } from './command';

function date(v: string | undefined, name: string) {
  if (!v) return undefined;
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) throw new UsageError(`--${name} must be an ISO date`);
  return d;
}

/** LF bytes in a chunk of NDJSON (one per resource). */
function lineEnds(chunk: Buffer): number {
  let n = 0;
  for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) n++;
  return n;
}

export const audit: CommandGroup = {
  options: {
    out: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    action: { type: 'string' },
    user: { type: 'string' },
    format: { type: 'string' },
  },
  commands: {
    export: {
      usage: 'audit export [--format csv|ndjson] [--out FILE] [--from ISO] [--to ISO] [--action ACTION] [--user USERNAME]',
      async run({ ctx, operator, values, io }) {
        const format = text(values.format) ?? 'csv';
        if (format !== 'csv' && format !== 'ndjson') throw new UsageError('--format must be csv or ndjson');
        const action = text(values.action);
        if (action && !(auditActions as readonly string[]).includes(action)) throw new UsageError(`--action must be one of ${auditActions.join(', ')}`);
        const username = text(values.user);
        const user = username ? await findUserByUsername(ctx.db, username) : undefined;
        if (username && !user) throw new UsageError(`no user named "${username}"`);
        const filter = { from: date(text(values.from), 'from'), to: date(text(values.to), 'to'), action: action as AuditAction | undefined, userId: user?.id };
        const file = text(values.out);
        const out: NodeJS.WritableStream = file ? createWriteStream(file) : io.stdout;
        // CSV has a header line and CRLF line ends; NDJSON one resource per LF-ended line.
        let rows = format === 'csv' ? -1 : 0;
        const chunks = format === 'csv' ? exportAuditCsv(ctx, await operator(), filter) : exportAuditNdjson(ctx, await operator(), filter);
        for await (const chunk of chunks) {
          rows += typeof chunk === 'string' ? chunk.split('\r\n').length - 1 : lineEnds(chunk);
          if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
        }
        if (file) {
          await new Promise<void>((r) => out.end(() => r()));
          io.err(`wrote ${rows} event(s) to ${file}`);
        }
      },
    },
    verify: {
      usage: 'audit verify [--from ISO] [--to ISO]   (exit 1 when the trail is broken)',
      async run({ ctx, operator, values, io }) {
        const report = await verifyAudit(ctx, await operator(), { from: date(text(values.from), 'from'), to: date(text(values.to), 'to') });
        const range = report.from || report.to ? ` from ${report.from ?? 'the start'} to ${report.to ?? 'now'}` : '';
        io.out(
          `checked ${report.events} event(s) on ${report.chains} chain(s)${range} and ${report.checkpoints} checkpoint(s) in ${(report.durationMs / 1000).toFixed(1)} s`,
        );
        for (const k of report.checkpointKeys)
          io.out(
            `checkpoints signed with key ${k.keyId} (${k.key === 'unknown' ? 'a key this server does not have' : k.key === 'current' ? 'AUDIT_CHECKPOINT_KEY' : 'a previous key'}): ${k.checkpoints}`,
          );
        const cp = report.lastCheckpoint;
        io.out(
          cp
            ? `last checkpoint: #${cp.id} at ${cp.at} (key ${cp.keyId})`
            : 'no checkpoint yet: a rewrite of a whole chain tail would not be caught (npm run cli -- audit checkpoint)',
        );
        if (report.ok) {
          io.out('OK: every chain is intact and matches every checkpoint');
          return;
        }
        io.out(`BROKEN: ${report.breaks} problem(s); the first broken event is ${report.firstBreak?.eventId ?? '(none: a checkpoint)'}`);
        for (const p of report.problems) io.out(`  ${p.kind}: ${p.message}`);
        throw new VerdictError('the audit trail is broken');
      },
    },
    checkpoint: {
      usage: 'audit checkpoint   (a signed checkpoint of every chain head, now)',
      async run({ ctx, io }) {
        const { checkpoint, taken } = await takeCheckpoint(ctx);
        io.out(
          `${taken ? 'took' : 'nothing new since'} checkpoint #${checkpoint.id} at ${checkpoint.at}: ${checkpoint.events} event(s) on ${checkpoint.chains} chain(s), key ${checkpoint.keyId}`,
        );
        if (ctx.config.auditCheckpoint.derived)
          io.err('note: the checkpoint key is derived from APP_SECRET; set AUDIT_CHECKPOINT_KEY to keep it apart from the database host');
      },
    },
  },
};
