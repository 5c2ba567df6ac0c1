// `/emergency-token`: ack at once, learn the caller's language, parse the text (English or Indonesian
// subcommands), resolve the caller's account (the only place a new account may be provisioned), check the
// role the subcommand needs, then run it. Every refusal is an ephemeral sentence; nothing is created on
// bad input.
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
    let t = deps.people.channelTexts();
    try {
      const ref = { id: slash.user_id, username: slash.user_name, teamId: slash.team_id };
      let resolved = await deps.people.resolve(ref);
      t = resolved.t;
      const parsed = parseCommandText(slash.text ?? '', deps.ctx.config, t);
      if (!parsed.ok) return await reply(`:warning: ${parsed.error}`);
      if (!resolved.ok && resolved.reason === 'link_first') resolved = await deps.people.resolve(ref, { provision: true });
      if (!resolved.ok) return await reply(notLinkedText(t, resolved.reason));
      const { account } = resolved;
      const name = parsed.command.name;
      if (adminOnly.has(name) && !isAdmin(account.actor)) return await reply(t.account.adminOnly(t.sub[name]));
      const handler = handlers[name] as (args: CommandArgs) => Promise<void>;
      await handler({ deps, command: parsed.command, slash, account, client, reply, t });
    } catch (err) {
      await reply(explain(t, err, deps.log, `${COMMAND} ${slash.text?.split(/\s+/)[0] ?? ''}`)).catch((e: unknown) =>
        deps.log.warn({ err: String(e) }, 'slack: could not answer a command'),
      );
    }
  });
}
