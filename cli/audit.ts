// `audit export`: the filtered audit trail as CSV, the same file the API's export streams.
import { createWriteStream } from 'node:fs';
import { auditActions, exportAuditCsv, type AuditAction } from '../api/domain/audit';
import { findUserByUsername } from '../api/domain/users';
import { text, UsageError, type CommandGroup } from './command';

function date(v: string | undefined, name: string) {
  if (!v) return undefined;
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) throw new UsageError(`--${name} must be an ISO date`);
  return d;
}

export const audit: CommandGroup = {
  options: {
    out: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    action: { type: 'string' },
    user: { type: 'string' },
  },
  commands: {
    export: {
      usage: 'audit export [--out FILE] [--from ISO] [--to ISO] [--action ACTION] [--user USERNAME]',
      async run({ ctx, operator, values, io }) {
        const action = text(values.action);
        if (action && !(auditActions as readonly string[]).includes(action)) throw new UsageError(`--action must be one of ${auditActions.join(', ')}`);
        const username = text(values.user);
        const user = username ? await findUserByUsername(ctx.db, username) : undefined;
        if (username && !user) throw new UsageError(`no user named "${username}"`);
        const filter = { from: date(text(values.from), 'from'), to: date(text(values.to), 'to'), action: action as AuditAction | undefined, userId: user?.id };
        const file = text(values.out);
        const out: NodeJS.WritableStream = file ? createWriteStream(file) : io.stdout;
        let rows = -1;
        for await (const chunk of exportAuditCsv(ctx, await operator(), filter)) {
          rows += chunk.split('\r\n').length - 1;
          if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
        }
        if (file) {
          await new Promise<void>((r) => out.end(() => r()));
          io.err(`wrote ${rows} event(s) to ${file}`);
        }
      },
    },
  },
};
