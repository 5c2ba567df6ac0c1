// `npm run cli -- <command>`: operate an installation from a shell with the same domain rules as the API.
// The CLI acts as a super_admin account (--as USERNAME, default the oldest super_admin), so every change
// is audited under a real account. Commands live one group per file (users.ts, tokens.ts, audit.ts),
// listed in run.ts.
import { ConfigError, loadConfig } from '../api/config';
import type { Ctx } from '../api/domain/context';
import { openDatabase } from '../db/client';
import { runCli } from './run';

runCli(process.argv.slice(2), {
  async open() {
    const config = loadConfig();
    const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    const ctx: Ctx = { db: database.db, database, config };
    return { ctx, close: () => database.close() };
  },
  config: () => loadConfig(),
  io: { out: (line) => console.log(line), err: (line) => console.error(line), stdout: process.stdout },
}).then(
  (code) => process.exit(code),
  (err) => {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    console.error('error:', err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
