// Slack user ↔ account, and the language each person reads. A linked account is found by slackUserId. An
// unknown Slack user gets a staff account (SLACK_AUTO_PROVISION) only through the slash command, and
// only as a full member of the app's workspace (the domain's provisionSlackUser decides, from users.info
// and auth.test's team); a click or a Home visit by an unknown user is told to use the command first.
import type { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import type { SlackConfig } from '../api/config';
import type { Ctx } from '../api/domain/context';
import { findUserBySlackId, provisionSlackUser } from '../api/domain/users';
import type { User } from '../db/schema';
import type { NotLinkedReason } from './blocks/account';
import type { SlackConnection } from './connection';
import type { Account } from './deps';
import { fromSlackLocale, texts, type Texts } from './i18n';

export type Resolution = { ok: true; account: Account; t: Texts } | { ok: false; reason: NotLinkedReason; t: Texts };

export interface SlackUserRef {
  id: string;
  /** What the payload says (slash commands: user_name; interactivity: user.username / user.name). */
  username?: string | undefined;
  name?: string | undefined;
  /** The workspace the payload came from. */
  teamId?: string | undefined;
}

/** What users.info told us about someone, kept a while (a person's Slack language rarely changes). */
interface Profile {
  teamId: string | null;
  name: string | undefined;
  username: string | undefined;
  deleted: boolean;
  bot: boolean;
  guest: boolean;
  locale: string | undefined;
}

const PROFILE_TTL_MS = 10 * 60_000;
const FAILED_TTL_MS = 30_000;

export class People {
  private readonly profiles = new Map<string, { profile: Profile | undefined; until: number }>();

  constructor(
    private readonly ctx: Ctx,
    private readonly slack: SlackConfig,
    private readonly client: webApi.WebClient,
    private readonly log: Logger,
    private readonly connection: SlackConnection,
  ) {}

  /** The caller's account. Only `provision` (the slash command) may create one. */
  async resolve(ref: SlackUserRef, opts: { provision?: boolean } = {}): Promise<Resolution> {
    const linked = await findUserBySlackId(this.ctx, ref.id);
    if (linked) {
      const t = await this.textsFor(linked);
      return linked.active ? { ok: true, account: toAccount(linked), t } : { ok: false, reason: 'inactive', t };
    }
    const profile = await this.profile(ref.id);
    const t = texts(fromSlackLocale(profile?.locale) ?? this.slack.defaultLocale);
    if (!this.slack.autoProvision) return { ok: false, reason: 'unknown', t };
    if (!opts.provision) return { ok: false, reason: 'link_first', t };
    const workspace = this.connection.teamId();
    // Without Slack's word on who this is (and which workspace the bot is in), nobody is provisioned.
    if (!workspace || !profile) return { ok: false, reason: 'unverified', t };
    if (ref.teamId && ref.teamId !== workspace) return { ok: false, reason: 'not_member', t };
    const result = await provisionSlackUser(
      this.ctx,
      {
        id: ref.id,
        teamId: profile.teamId,
        name: profile.name ?? ref.name ?? ref.username,
        username: profile.username ?? ref.username,
        deleted: profile.deleted,
        bot: profile.bot,
        guest: profile.guest,
      },
      workspace,
    );
    if ('refused' in result) {
      if (result.refused === 'not_member')
        this.log.warn(
          { slackUserId: ref.id, teamId: profile.teamId },
          'slack: refused to provision an account for someone who is not a full member of the workspace',
        );
      return { ok: false, reason: result.refused === 'inactive' ? 'inactive' : result.refused === 'disabled' ? 'unknown' : 'not_member', t };
    }
    this.log.info({ userId: result.user.id, slackUserId: ref.id }, 'slack: provisioned a staff account for a new Slack user');
    return { ok: true, account: toAccount(result.user), t: await this.textsFor(result.user) };
  }

  /** The texts a person reads: their account's language, else their Slack language, else the default. */
  async textsFor(user: Pick<User, 'locale' | 'slackUserId'> | undefined): Promise<Texts> {
    if (user?.locale) return texts(user.locale);
    const profile = user?.slackUserId ? await this.profile(user.slackUserId) : undefined;
    return texts(fromSlackLocale(profile?.locale) ?? this.slack.defaultLocale);
  }

  /** The texts of the admin channel (and of anyone whose language is unknown). */
  channelTexts(): Texts {
    return texts(this.slack.defaultLocale);
  }

  /** Forget what users.info said about someone (their profile changed). */
  forget(slackUserId: string): void {
    this.profiles.delete(slackUserId);
  }

  private async profile(slackUserId: string): Promise<Profile | undefined> {
    const cached = this.profiles.get(slackUserId);
    if (cached && cached.until > Date.now()) return cached.profile;
    let profile: Profile | undefined;
    try {
      const res = await this.client.users.info({ user: slackUserId, include_locale: true });
      const u = res.user;
      profile = u && {
        teamId: u.team_id ?? null,
        name: u.real_name || u.profile?.real_name || undefined,
        username: u.name || undefined,
        deleted: u.deleted === true,
        bot: u.is_bot === true || u.is_app_user === true,
        guest: u.is_restricted === true || u.is_ultra_restricted === true,
        locale: u.locale,
      };
      this.connection.reached();
    } catch (err) {
      this.connection.failed(err);
      this.log.warn({ err: String(err), slackUserId }, 'slack: users.info failed');
    }
    this.profiles.set(slackUserId, { profile, until: Date.now() + (profile ? PROFILE_TTL_MS : FAILED_TTL_MS) });
    return profile;
  }
}

export function toAccount(user: Account['user']): Account {
  return { user, actor: { id: user.id, role: user.role, ip: null } };
}
