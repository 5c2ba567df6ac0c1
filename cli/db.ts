// `db grant-runtime ROLE`: give the role the server runs as (DATABASE_URL) exactly the rights it needs,
// as the owner of the tables (DATABASE_MIGRATION_URL). Run it after every upgrade: tables a migration
// adds need their grants too. `db privileges`: what the server's role may do more than it needs.
import { connectedAs, excessPrivileges, grantRuntime } from '../db/privileges';
import { UsageError, VerdictError, type CommandGroup } from './command';

export const db: CommandGroup = {
  options: {},
  commands: {
    'grant-runtime': {
      usage: 'db grant-runtime ROLE   (as the owner, DATABASE_MIGRATION_URL: the server role may only add to the audit trail)',
      standalone: true,
      async run({ config, args, io }) {
        const [role] = args;
        if (!role) throw new UsageError('db grant-runtime needs the role the server runs as');
        const url = config.migrationUrl ?? config.databaseUrl;
        if (!url) throw new UsageError('the embedded database has one user: least privilege needs Postgres (DATABASE_URL, DATABASE_MIGRATION_URL)');
        const statements = await connectedAs(url, (c) => grantRuntime(c, role));
        for (const s of statements) io.out(`${s};`);
        io.out(`"${role}" may read and write the application's tables and only read and add to the audit trail.`);
      },
    },
    privileges: {
      usage: "db privileges   (what the server's role, DATABASE_URL, may do beyond what it needs; exit 1 if anything)",
      standalone: true,
      async run({ config, io }) {
        if (!config.databaseUrl) throw new UsageError('the embedded database has one user: see README, "Audit and compliance"');
        const problems = await connectedAs(config.databaseUrl, (c) => excessPrivileges(c));
        if (problems.length === 0) {
          io.out('least privilege holds: the server role can only read and add to the audit trail');
          return;
        }
        for (const p of problems) io.out(p);
        throw new VerdictError(
          'the server role has more rights than it needs (npm run cli -- db grant-runtime ROLE, with the owner in DATABASE_MIGRATION_URL)',
        );
      },
    },
  },
};
