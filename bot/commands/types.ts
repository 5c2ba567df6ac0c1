// What each subcommand handler receives: the parsed command, the caller's account, and ways to answer.
import type { SlashCommand, webApi } from '@slack/bolt';
import type { Message } from '../blocks/text';
import type { Account, BotDeps } from '../deps';
import type { Texts } from '../i18n';
import type { Command } from './parse';

export interface CommandArgs<C extends Command = Command> {
  deps: BotDeps;
  command: C;
  slash: SlashCommand;
  account: Account;
  /** The caller's language. */
  t: Texts;
  client: webApi.WebClient;
  /** An ephemeral answer to the caller (through response_url). */
  reply: (m: string | Message) => Promise<void>;
}

export type CommandHandler<N extends Command['name']> = (args: CommandArgs<Extract<Command, { name: N }>>) => Promise<void>;
