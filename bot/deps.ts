// What every listener, the outbox delivery and the App Home publisher share: the domain context, the
// Slack settings, the logger and a Web API client that carries the bot token.
import type { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import type { SlackConfig } from '../api/config';
import type { Actor, Ctx } from '../api/domain/context';
import type { User } from '../db/schema';
import type { SlackConnection } from './connection';
import type { SlackOut } from './delivery/send';
import type { HomePublisher } from './home';
import type { People } from './people';

export interface BotDeps {
  ctx: Ctx;
  log: Logger;
  /** Bot-token client (short timeout) for work that does not come with a Bolt listener (App Home, users.info). */
  client: webApi.WebClient;
  people: People;
  home: HomePublisher;
  /** Whether Slack is there (up, down, revoked) and which workspace the bot belongs to. */
  connection: SlackConnection;
  /** The outbox's Slack calls (a longer timeout, no retries of their own). */
  out: SlackOut;
}

/** A Slack user resolved to their account; the role is the account's, never anything from Slack. */
export interface Account {
  user: User;
  actor: Actor;
}

/** Slack's settings: the bot exists only when they are configured (createSlackBot). */
export function slackSettings(deps: Pick<BotDeps, 'ctx'>): SlackConfig {
  const slack = deps.ctx.config.slack;
  if (!slack) throw new Error('the Slack bot runs only when Slack is configured');
  return slack;
}
