// Slack user ↔ account. A linked account is found by slackUserId; an unknown Slack user becomes staff
// when SLACK_AUTO_PROVISION is on (the domain's resolveSlackUser), named from users.info when Slack answers.
import type { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import type { SlackConfig } from '../api/config';
import type { Ctx } from '../api/domain/context';
import { findUserBySlackId, resolveSlackUser } from '../api/domain/users';
import type { SlackConnection } from './connection';
import type { Account } from './deps';

export type Resolution = { ok: true; account: Account } | { ok: false; reason: 'unknown' | 'inactive' };

export interface SlackUserRef {
  id: string;
  /** What the payload says (slash commands: user_name; interactivity: user.username / user.name). */
  username?: string | undefined;
  name?: string | undefined;
}

export class People {
  constructor(
    private readonly ctx: Ctx,
    private readonly slack: SlackConfig,
    private readonly client: webApi.WebClient,
    private readonly log: Logger,
    private readonly connection: SlackConnection,
  ) {}

  async resolve(ref: SlackUserRef): Promise<Resolution> {
    const linked = await findUserBySlackId(this.ctx, ref.id);
    if (linked) return linked.active ? { ok: true, account: toAccount(linked) } : { ok: false, reason: 'inactive' };
    if (!this.slack.autoProvision) return { ok: false, reason: 'unknown' };
    const profile = await this.profile(ref);
    const user = await resolveSlackUser(this.ctx, { id: ref.id, name: profile.name, username: profile.username });
    if (!user) return { ok: false, reason: 'unknown' };
    this.log.info({ userId: user.id, slackUserId: ref.id }, 'slack: provisioned a staff account for a new Slack user');
    return { ok: true, account: toAccount(user) };
  }

  /** The person's real name from Slack; the payload's handle when Slack cannot say. */
  private async profile(ref: SlackUserRef): Promise<{ name: string | undefined; username: string | undefined }> {
    try {
      const res = await this.client.users.info({ user: ref.id });
      const u = res.user;
      return {
        name: u?.real_name || u?.profile?.real_name || ref.name || ref.username,
        username: u?.name || ref.username,
      };
    } catch (err) {
      this.log.warn({ err: String(err), slackUserId: ref.id }, 'slack: users.info failed; naming the new account from the payload');
      return { name: ref.name ?? ref.username, username: ref.username };
    }
  }
}

export function toAccount(user: Account['user']): Account {
  return { user, actor: { id: user.id, role: user.role, ip: null } };
}
