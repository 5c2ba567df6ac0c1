// The CLI without the process around it: parse the arguments, find the command, run it against a domain
// context, and say how it ended (exit code). main.ts gives it the real database and the terminal; tests
// give it theirs.
import { parseArgs } from 'node:util';
import type { Config } from '../api/config';
import type { Ctx } from '../api/domain/context';
import { DomainError } from '../api/domain/errors';
import { operatorActor } from '../api/domain/users';
import { audit } from './audit';
import { backup, fingerprint, restore } from './backup';
import { db } from './db';
import { migrateToPostgres } from './migrate-to-postgres';
import { secrets } from './secrets';
import { UsageError, VerdictError, type CommandGroup, type Io, type Options } from './command';
import { tokens } from './tokens';
import { users } from './users';

/** Every command group, by its first word. A new group is one file and one line here. */
export const groups: Record<string, CommandGroup> = {
  users,
  tokens,
  audit,
  backup,
  restore,
  fingerprint,
  'migrate-to-postgres': migrateToPostgres,
  secrets,
  db,
};

const common: Options = { as: { type: 'string' }, help: { type: 'boolean', short: 'h' } };

export function helpText(): string {
  const lines = Object.values(groups).flatMap((g) =>
    Object.values(g.commands)
      .map((c) => c.usage)
      .filter(Boolean),
  );
  return `Emergency Token CLI

${lines.map((l) => `  npm run cli -- ${l}`).join('\n')}

Options for every command: --as USERNAME (the super_admin the change is recorded under).
Configuration comes from the same environment as the server (DATABASE_URL, DATA_DIR, APP_SECRET).`;
}

export interface CliDeps {
  /** Open the database and build the domain context (only once a command is known). */
  open(): Promise<{ ctx: Ctx; close(): Promise<void> }>;
  /** The configuration, for the commands that open the database themselves. */
  config(): Config;
  io: Io;
}

/** 0: done; 2: refused (wrong use, a domain refusal, bad configuration); 1: failed. */
export async function runCli(argv: string[], deps: CliDeps): Promise<number> {
  const { io } = deps;
  try {
    const options = Object.assign({}, common, ...Object.values(groups).map((g) => g.options)) as Options;
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options });
    const [group, name, ...args] = positionals;
    if (values.help || !group) {
      io.out(helpText());
      return 0;
    }
    const commands = groups[group]?.commands ?? {};
    // A one-command group (`restore FILE`) takes the next word as its first argument.
    const single = name === undefined || !(name in commands) ? commands[''] : undefined;
    const command = single ?? commands[name ?? ''];
    if (!command) throw new UsageError(`unknown command "${[group, name].filter(Boolean).join(' ')}"`);
    if (command.standalone) {
      await command.run({ config: deps.config(), args: single && name !== undefined ? [name, ...args] : args, values, io });
      return 0;
    }
    const { ctx, close } = await deps.open();
    try {
      const as = typeof values.as === 'string' ? values.as : undefined;
      await command.run({ ctx, operator: () => operatorActor(ctx, as), args, values, io });
      return 0;
    } finally {
      await close();
    }
  } catch (err) {
    if (err instanceof VerdictError) {
      io.err(err.message);
      return 1;
    }
    if (err instanceof UsageError) io.err(`error: ${err.message}\n\n${helpText()}`);
    else if (err instanceof DomainError) io.err(`refused (${err.code}): ${err.message}${err.details ? ` ${JSON.stringify(err.details)}` : ''}`);
    else if (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS')) io.err(`error: ${err.message}\n\n${helpText()}`);
    else throw err;
    return 2;
  }
}
