// `npm run cli -- <command>`: operate an installation from a shell with the same domain rules as the API.
// The CLI acts as a super_admin account (--as USERNAME, default the oldest super_admin), so every change
// is audited under a real account.
import { createWriteStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig } from '../api/config';
import { openDatabase } from '../db/client';
import { roles, type Role, type User } from '../db/schema';
import type { Actor, Ctx } from '../api/domain/context';
import { DomainError } from '../api/domain/errors';
import { createUser, findUserByUsername, listUsers, operatorActor, updateUser } from '../api/domain/users';
import { generateTokens } from '../api/domain/tokens';
import { auditActions, exportAuditCsv, type AuditAction } from '../api/domain/audit';

const HELP = `Emergency Token CLI

  npm run cli -- users list
  npm run cli -- users add USERNAME --name "Full Name" [--role staff|admin|super_admin] [--password PW] [--slack U123]
  npm run cli -- users set-role USERNAME ROLE
  npm run cli -- users link-slack USERNAME SLACK_USER_ID        (use "none" to unlink)
  npm run cli -- users set-password USERNAME [--password PW]    (generates one when omitted)
  npm run cli -- users deactivate USERNAME | activate USERNAME
  npm run cli -- tokens generate --count N [--length 4-6] [--user USERNAME] [--expires-days D] [--notes TEXT]
  npm run cli -- audit export [--out FILE] [--from ISO] [--to ISO] [--action ACTION] [--user USERNAME]

Options for every command: --as USERNAME (the super_admin the change is recorded under).
Configuration comes from the same environment as the server (DATABASE_URL, DATA_DIR, APP_SECRET).`;

async function main(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      role: { type: 'string' },
      password: { type: 'string' },
      slack: { type: 'string' },
      count: { type: 'string' },
      length: { type: 'string' },
      user: { type: 'string' },
      'expires-days': { type: 'string' },
      notes: { type: 'string' },
      out: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      action: { type: 'string' },
      as: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [group, command, ...args] = positionals;
  if (values.help || !group) {
    console.log(HELP);
    return 0;
  }

  const config = loadConfig();
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const ctx: Ctx = { db: database.db, database, config };
  try {
    const byUsername = async (username: string | undefined): Promise<User> => {
      if (!username) throw new UsageError('a USERNAME is required');
      const u = await findUserByUsername(ctx.db, username);
      if (!u) throw new UsageError(`no user named "${username}"`);
      return u;
    };
    const operator = (): Promise<Actor> => operatorActor(ctx, values.as);
    const role = (r: string | undefined): Role => {
      if (!r || !(roles as readonly string[]).includes(r)) throw new UsageError(`role must be one of ${roles.join(', ')}`);
      return r as Role;
    };
    const int = (v: string | undefined, name: string) => {
      if (v === undefined) return undefined;
      if (!/^\d+$/.test(v)) throw new UsageError(`--${name} must be a whole number`);
      return Number(v);
    };

    switch (`${group} ${command ?? ''}`.trim()) {
      case 'users list': {
        const actor = await operator();
        let cursor: string | undefined;
        const rows: string[][] = [['username', 'name', 'role', 'active', 'slack', 'available']];
        do {
          const page = await listUsers(ctx, actor, {}, { limit: 200, cursor });
          for (const u of page.items) rows.push([u.username, u.name, u.role, String(u.active), u.slackUserId ?? '-', String(u.availableTokens)]);
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
        printTable(rows);
        return 0;
      }
      case 'users add': {
        const password = values.password ?? randomBytes(12).toString('base64url');
        const u = await createUser(ctx, await operator(), { username: args[0] ?? '', name: values.name ?? args[0] ?? '', role: role(values.role ?? 'staff'), password, slackUserId: values.slack });
        console.log(`created ${u.role} "${u.username}"${values.password ? '' : ` with password: ${password}`}`);
        return 0;
      }
      case 'users set-role': {
        const u = await updateUser(ctx, await operator(), (await byUsername(args[0])).id, { role: role(args[1]) });
        console.log(`"${u.username}" is now ${u.role}`);
        return 0;
      }
      case 'users link-slack': {
        const slackId = args[1];
        if (!slackId) throw new UsageError('a SLACK_USER_ID (or "none") is required');
        const u = await updateUser(ctx, await operator(), (await byUsername(args[0])).id, { slackUserId: slackId === 'none' ? null : slackId });
        console.log(u.slackUserId ? `"${u.username}" is linked to Slack user ${u.slackUserId}` : `"${u.username}" is no longer linked to Slack`);
        return 0;
      }
      case 'users set-password': {
        const password = values.password ?? randomBytes(12).toString('base64url');
        if (password.length < 10) throw new UsageError('a password needs at least 10 characters');
        const u = await updateUser(ctx, await operator(), (await byUsername(args[0])).id, { password });
        console.log(`password of "${u.username}" changed${values.password ? '' : `: ${password}`}; their sessions were ended`);
        return 0;
      }
      case 'users deactivate':
      case 'users activate': {
        const u = await updateUser(ctx, await operator(), (await byUsername(args[0])).id, { active: command === 'activate' });
        console.log(`"${u.username}" is ${u.active ? 'active' : 'deactivated'}`);
        return 0;
      }
      case 'tokens generate': {
        const count = int(values.count, 'count');
        if (!count) throw new UsageError('--count N is required');
        const assignee = values.user ? await byUsername(values.user) : undefined;
        const tokens = await generateTokens(ctx, await operator(), { count, length: int(values.length, 'length'), userId: assignee?.id ?? null, notes: values.notes, expiresInDays: int(values['expires-days'], 'expires-days') });
        if ((tokens[0]?.length ?? 6) < 6) console.error('note: codes shorter than 6 digits fall below the 20 bits of entropy OWASP ASVS asks of one-time codes');
        console.log(`# ${tokens.length} token(s)${assignee ? ` for ${assignee.username}` : ' (unassigned)'}, expiring ${tokens[0]?.expiresAt}. Shown once: hand them over now.`);
        for (const t of tokens) console.log(t.token);
        return 0;
      }
      case 'audit export': {
        const action = values.action;
        if (action && !(auditActions as readonly string[]).includes(action)) throw new UsageError(`--action must be one of ${auditActions.join(', ')}`);
        const date = (v: string | undefined, name: string) => {
          if (!v) return undefined;
          const d = new Date(v);
          if (Number.isNaN(d.getTime())) throw new UsageError(`--${name} must be an ISO date`);
          return d;
        };
        const filter = { from: date(values.from, 'from'), to: date(values.to, 'to'), action: action as AuditAction | undefined, userId: values.user ? (await byUsername(values.user)).id : undefined };
        const out: NodeJS.WritableStream = values.out ? createWriteStream(values.out) : process.stdout;
        let rows = -1;
        for await (const chunk of exportAuditCsv(ctx, await operator(), filter)) {
          rows += chunk.split('\r\n').length - 1;
          if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
        }
        if (values.out) {
          await new Promise<void>((r) => out.end(() => r()));
          console.error(`wrote ${rows} event(s) to ${values.out}`);
        }
        return 0;
      }
      default:
        throw new UsageError(`unknown command "${[group, command].filter(Boolean).join(' ')}"`);
    }
  } finally {
    await database.close();
  }
}

class UsageError extends Error {}

function printTable(rows: string[][]) {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i]!)).join('  '));
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    if (err instanceof UsageError) console.error(`error: ${err.message}\n\n${HELP}`);
    else if (err instanceof DomainError) console.error(`refused (${err.code}): ${err.message}${err.details ? ` ${JSON.stringify(err.details)}` : ''}`);
    else if (err instanceof ConfigError) console.error(err.message);
    else console.error('error:', err instanceof Error ? err.message : err);
    process.exit(err instanceof UsageError || err instanceof DomainError || err instanceof ConfigError ? 2 : 1);
  },
);
