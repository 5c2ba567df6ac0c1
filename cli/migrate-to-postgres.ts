// `migrate-to-postgres --to URL`: move the embedded database (DATA_DIR) into an empty Postgres, every row
// with its id, every sequence, counter and audit event, and prove it by comparing both databases table by
// table (row counts and content hashes), then by verifying the audit trail's hash chains and signed
// checkpoints in the target, as `audit verify` would. The server must be stopped: rows written after the
// copy would stay behind.
import type { Ctx } from '../api/domain/context';
import { verifyAuditTrail } from '../api/domain/audit-verify';
import { openDatabase } from '../db/client';
import { describe } from '../db/fingerprint';
import { moveToPostgres } from '../db/move';
import { text, UsageError, type CommandGroup } from './command';

export const migrateToPostgres: CommandGroup = {
  options: { to: { type: 'string' } },
  commands: {
    '': {
      usage: 'migrate-to-postgres --to postgres://USER:PASSWORD@HOST/DB    (from the embedded database; stop the server first)',
      standalone: true,
      async run({ config, values, io }) {
        const url = text(values.to);
        if (!url || !/^postgres(ql)?:\/\//.test(url)) throw new UsageError('--to needs a postgres:// URL of an empty database');
        if (config.databaseUrl) throw new UsageError('the source is the embedded database in DATA_DIR: unset DATABASE_URL for this command');
        const moved = await moveToPostgres(config.dataDir, url, (table, rows) => io.err(`copied ${table}: ${rows} rows`));
        if (moved.differences.length) throw new Error(`the copy differs from the source: ${moved.differences.join('; ')}`);
        const rows = moved.copied.tables.reduce((n, t) => n + t.rows, 0);
        io.out(
          `moved ${rows} rows in ${moved.copied.tables.length} tables and ${moved.copied.sequences} sequences; both databases hold the same (row counts and content hashes):`,
        );
        for (const line of describe(moved.target)) io.out(`  ${line}`);
        io.out(`triggers on in the target: ${Object.keys(moved.triggers).join(', ')}`);
        // Equal content hashes say the copy is the source; the chains say the source was untouched.
        const target = await openDatabase({ databaseUrl: url, dataDir: '', poolSize: 4 });
        try {
          const ctx: Ctx = { db: target.db, database: target, config };
          const report = await verifyAuditTrail(ctx);
          if (!report.ok) {
            const first = report.firstBreak;
            throw new Error(
              `the audit trail in the target does not verify: ${report.breaks} break(s), the first ${first ? `${first.kind} at event ${first.eventId ?? '?'}` : 'unnamed'}`,
            );
          }
          io.out(
            `audit trail verified in the target: ${report.events} events on ${report.chains} chains, ${report.checkpoints} signed checkpoint(s), no breaks`,
          );
        } finally {
          await target.close();
        }
        io.out('');
        io.out('Next: start the server with DATABASE_URL set to that URL and APP_SECRET set to the secret this database was made with');
        io.out(`(on the embedded default, the content of ${config.dataDir}/app-secret), or every token will be invalid.`);
        io.out(`Keep ${config.dataDir} until you are satisfied; the server no longer reads it.`);
      },
    },
  },
};
