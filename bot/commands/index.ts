// `/emergency-token`: ack at once, parse the text, resolve the caller's account, check the role the
// subcommand needs, then run it. Every refusal is an ephemeral sentence; nothing is created on bad input.
import type { App } from '@slack/bolt';
import { isAdmin } from '../../api/domain/context';
import { notLinkedText } from '../blocks/account';
import type { Message } from '../blocks/text';
import type { BotDeps } from '../deps';
import { explain } from '../errors';
import { generate } from './generate';
import { help } from './help';
import { login } from './login';
import { monitor } from './monitor';
import { parseCommandText, type Command } from './parse';
import { pending } from './pending';
import { request } from './request';
import { status } from './status';
import type { CommandArgs } from './types';

export const COMMAND = '/emergency-token';

const handlers: { [N in Command['name']]: (args: CommandArgs<Extract<Command, { name: N }>>) => Promise<void> } = {
  help,
  request,
  status,
  login,
  pending,
  generate,
  monitor,
};

const adminOnly = new Set<Command['name']>(['pending', 'generate', 'monitor']);

export function registerCommands(app: App, deps: BotDeps): void {
  app.command(COMMAND, async ({ ack, command: slash, respond, client }) => {
    await ack();
    const reply = async (m: string | Message) => {
      await respond({ response_type: 'ephemeral', ...(typeof m === 'string' ? { text: m } : m) });
    };
    try {
      const parsed = parseCommandText(slash.text ?? '', deps.config);
      if (!parsed.ok) return await reply(`:warning: ${parsed.error}`);
      const resolved = await deps.people.resolve({ id: slash.user_id, username: slash.user_name });
      if (!resolved.ok) return await reply(notLinkedText(resolved.reason));
      const { account } = resolved;
      const name = parsed.command.name;
      if (adminOnly.has(name) && !isAdmin(account.actor)) {
        return await reply(`:no_entry: \`${name}\` is for admins. \`/emergency-token help\` lists what you can do.`);
      }
      const handler = handlers[name] as (args: CommandArgs) => Promise<void>;
      await handler({ deps, command: parsed.command, slash, account, client, reply });
    } catch (err) {
      await reply(explain(err, deps.log, `${COMMAND} ${slash.text?.split(/\s+/)[0] ?? ''}`)).catch(() => {});
    }
  });
}
