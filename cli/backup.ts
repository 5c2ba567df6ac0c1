// `backup` and `restore` of the embedded database (PGlite in DATA_DIR). A backup can be taken while the
// server runs (the server takes the snapshot and hands it over its control socket; the CLI never opens a
// database another process holds); a restore needs the server stopped. With Postgres (DATABASE_URL) the
// tools are Postgres's own: pg_dump and pg_restore (README, "Backups").
import { missingSecrets } from '../api/domain/secrets';
import { openDatabase } from '../db/client';
import { backupEmbedded, fingerprintEmbedded, inspectBackup, restoreEmbedded } from '../db/embedded';
import { describe, differences, type Fingerprint } from '../db/fingerprint';
import { fingerprintPostgres } from '../db/move';
import { text, UsageError, type CommandGroup } from './command';

const POSTGRES = 'with DATABASE_URL set the database is Postgres: back it up with pg_dump and restore it with pg_restore (README, "Backups")';
const SECRET_NOTE =
  'The backup does not hold APP_SECRET (on the embedded default: DATA_DIR/app-secret). Keep that secret too, apart from the backups: without it the tokens in a restored database cannot be validated.';

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const totalRows = (f: { tables: Record<string, { rows: number }> }) => Object.values(f.tables).reduce((n, t) => n + t.rows, 0);

export const backup: CommandGroup = {
  options: { out: { type: 'string' } },
  commands: {
    '': {
      usage: 'backup [--out FILE]    (embedded database; safe while the server runs)',
      standalone: true,
      async run({ config, values, io }) {
        if (config.databaseUrl) throw new UsageError(POSTGRES);
        const file = text(values.out) ?? `emergency-token-backup-${new Date().toISOString().replace(/[:.]/g, '-')}.tar.gz`;
        const { bytes, via } = await backupEmbedded(config.dataDir, file);
        // Read it back: a backup that cannot be opened is worse than none.
        const content = await inspectBackup(file);
        io.out(
          `backup of ${config.dataDir} written to ${file} (${mb(bytes)}, ${via === 'server' ? 'taken by the running server' : 'server not running'}), mode 0600`,
        );
        io.out(`checked: it opens, ${Object.keys(content.tables).length} tables, ${totalRows(content)} rows`);
        for (const line of describe(content)) io.out(`  ${line}`);
        io.err(SECRET_NOTE);
      },
    },
  },
};

export const restore: CommandGroup = {
  options: {},
  commands: {
    '': {
      usage: 'restore FILE    (embedded database; stop the server first)',
      standalone: true,
      async run({ config, args, io }) {
        if (config.databaseUrl) throw new UsageError(POSTGRES);
        const file = args[0];
        if (!file) throw new UsageError('restore needs the backup FILE');
        const r = await restoreEmbedded(config.dataDir, file);
        const diffs = differences(r.backup, r.restored);
        if (diffs.length) throw new Error(`the restored database differs from the backup: ${diffs.join('; ')}`);
        io.out(
          `restored ${file} into ${config.dataDir}: ${Object.keys(r.restored.tables).length} tables, ${totalRows(r.restored)} rows, identical to the backup (row counts and content hashes)`,
        );
        for (const line of describe(r.restored)) io.out(`  ${line}`);
        if (r.replaced) io.out(`the database it replaced is kept in ${r.replaced} (delete it once you are satisfied)`);
        // The tokens in it are only usable with the secret they were made under: say now if it is missing.
        const database = await openDatabase({ dataDir: config.dataDir });
        try {
          for (const k of await missingSecrets({ db: database.db, database, config })) {
            io.err(
              `warning: ${k.availableTokens} available token(s) in it were made under APP_SECRET key ${k.keyId}, which this configuration does not have: copy that secret back (DATA_DIR/app-secret, or APP_SECRET / APP_SECRET_PREVIOUS) before starting the server, or they cannot be validated.`,
            );
          }
        } finally {
          await database.close();
        }
        io.err(SECRET_NOTE);
      },
    },
  },
};

export const fingerprint: CommandGroup = {
  options: { file: { type: 'string' } },
  commands: {
    '': {
      usage: 'fingerprint [--file BACKUP]    (every table: rows and content hash; compare two copies)',
      standalone: true,
      async run({ config, values, io }) {
        const file = text(values.file);
        let f: Fingerprint;
        if (file) f = await inspectBackup(file);
        else if (config.databaseUrl) f = await fingerprintPostgres(config.databaseUrl);
        else f = await fingerprintEmbedded(config.dataDir);
        for (const line of describe(f)) io.out(line);
        for (const [name, seq] of Object.entries(f.sequences)) io.out(`sequence ${name} at ${seq.lastValue}`);
        io.out(`migrations: ${f.migrations.length} applied`);
      },
    },
  },
};
