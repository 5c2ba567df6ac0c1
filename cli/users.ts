// `users ...`: list accounts and change them, as the domain's createUser/updateUser allow.
import { randomBytes } from 'node:crypto';
import { findUserByUsername, createUser, listUsers, updateUser, type NewUser, type UserChanges } from '../api/domain/users';
import type { Ctx } from '../api/domain/context';
import { printTable, text, UsageError, type CommandGroup } from './command';

async function byUsername(ctx: Ctx, username: string | undefined) {
  if (!username) throw new UsageError('a USERNAME is required');
  const u = await findUserByUsername(ctx.db, username);
  if (!u) throw new UsageError(`no user named "${username}"`);
  return u;
}

const generatedPassword = () => randomBytes(12).toString('base64url');

export const users: CommandGroup = {
  options: {
    name: { type: 'string' },
    role: { type: 'string' },
    password: { type: 'string' },
    slack: { type: 'string' },
  },
  commands: {
    list: {
      usage: 'users list',
      async run({ ctx, operator, io }) {
        const actor = await operator();
        let cursor: string | undefined;
        const rows: string[][] = [['username', 'name', 'role', 'active', 'slack', 'available']];
        do {
          const page = await listUsers(ctx, actor, {}, { limit: 200, cursor });
          for (const u of page.items) rows.push([u.username, u.name, u.role, String(u.active), u.slackUserId ?? '-', String(u.availableTokens)]);
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
        printTable(rows, io.out);
      },
    },
    add: {
      usage: 'users add USERNAME --name "Full Name" [--role staff|admin|super_admin] [--password PW] [--slack U123]',
      async run({ ctx, operator, args, values, io }) {
        const given = text(values.password);
        const password = given ?? generatedPassword();
        // Text as typed: the domain's input rules (api/domain/input.ts) judge it.
        const input = {
          username: args[0] ?? '',
          name: text(values.name) ?? args[0] ?? '',
          role: text(values.role) ?? 'staff',
          password,
          slackUserId: text(values.slack),
        };
        const u = await createUser(ctx, await operator(), input as NewUser);
        io.out(`created ${u.role} "${u.username}"${given ? '' : ` with password: ${password}`}`);
      },
    },
    'set-role': {
      usage: 'users set-role USERNAME ROLE',
      async run({ ctx, operator, args, io }) {
        if (!args[1]) throw new UsageError('a ROLE is required');
        const u = await updateUser(ctx, await operator(), (await byUsername(ctx, args[0])).id, { role: args[1] } as UserChanges);
        io.out(`"${u.username}" is now ${u.role}`);
      },
    },
    'link-slack': {
      usage: 'users link-slack USERNAME SLACK_USER_ID        (use "none" to unlink)',
      async run({ ctx, operator, args, io }) {
        const slackId = args[1];
        if (!slackId) throw new UsageError('a SLACK_USER_ID (or "none") is required');
        const u = await updateUser(ctx, await operator(), (await byUsername(ctx, args[0])).id, { slackUserId: slackId === 'none' ? null : slackId });
        io.out(u.slackUserId ? `"${u.username}" is linked to Slack user ${u.slackUserId}` : `"${u.username}" is no longer linked to Slack`);
      },
    },
    'set-password': {
      usage: 'users set-password USERNAME [--password PW]    (generates one when omitted)',
      async run({ ctx, operator, args, values, io }) {
        const given = text(values.password);
        const password = given ?? generatedPassword();
        const u = await updateUser(ctx, await operator(), (await byUsername(ctx, args[0])).id, { password });
        io.out(`password of "${u.username}" changed${given ? '' : `: ${password}`}; their sessions were ended`);
      },
    },
    deactivate: {
      usage: 'users deactivate USERNAME | activate USERNAME',
      async run({ ctx, operator, args, io }) {
        const u = await updateUser(ctx, await operator(), (await byUsername(ctx, args[0])).id, { active: false });
        io.out(`"${u.username}" is deactivated`);
      },
    },
    activate: {
      usage: '',
      async run({ ctx, operator, args, io }) {
        const u = await updateUser(ctx, await operator(), (await byUsername(ctx, args[0])).id, { active: true });
        io.out(`"${u.username}" is active`);
      },
    },
  },
};
