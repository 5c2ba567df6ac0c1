// Ephemeral answers to the slash command (help, status, monitor), the sign-in DM, and what a Slack user
// without a usable account is told.
import type { Texts } from '../i18n';
import { clip } from './limits';
import { ACTIONS } from './ids';
import { type RequestCard } from './requests';
import { actions, button, context, escapeMrkdwn, fields, header, section, when, who, type Block, type Message, type Person } from './text';

export interface HelpInput {
  isAdmin: boolean;
  maxRequestQuantity: number;
  maxGenerateCount: number;
}

export function helpMessage(t: Texts, h: HelpInput): Message {
  const staff = [t.help.request, t.help.requestDirect(h.maxRequestQuantity), t.help.status, t.help.login, t.help.help];
  const admin = [t.help.pending, t.help.generate(h.maxGenerateCount), t.help.monitor];
  const blocks: Block[] = [section(`${t.help.title}\n${staff.map((l) => `• ${l}`).join('\n')}`)];
  if (h.isAdmin) blocks.push(section(`${t.help.asAdmin}\n${admin.map((l) => `• ${l}`).join('\n')}`));
  blocks.push(context(t.help.footer));
  return { text: t.help.fallback, blocks };
}

export interface StatusInput {
  available: number;
  pending: RequestCard[];
  grant: { reason: string; patientRef: string | null; expiresAt: string | Date } | null;
  threshold: number;
}

export function statusMessage(t: Texts, s: StatusInput): Message {
  const low = s.available < s.threshold ? ` ${t.common.runningLow}` : '';
  const blocks: Block[] = [
    section(`${t.status.available(s.available)}${low}`),
    section(
      s.pending.length
        ? `${t.status.pendingTitle}\n${s.pending
            .slice(0, 10)
            .map((r) => `• ${t.status.pendingLine(t.n.tokens(r.quantity), when(r.createdAt))}${r.reason ? `: ${escapeMrkdwn(clip(r.reason, 200))}` : ''}`)
            .join('\n')}`
        : t.status.pendingNone,
    ),
    section(s.grant ? t.status.session(when(s.grant.expiresAt, '{time}'), escapeMrkdwn(clip(s.grant.reason, 300))) : t.status.sessionNone),
  ];
  return { text: t.status.fallback(t.n.availableTokens(s.available)), blocks };
}

export function loginDm(t: Texts, input: { url: string; expiresAt: Date | string }): Message {
  return {
    text: t.login.fallback,
    blocks: [
      section(t.login.body(when(input.expiresAt, '{time}'))),
      actions(undefined, button({ text: t.login.button, label: t.login.buttonLabel, actionId: ACTIONS.openLink, url: input.url, style: 'primary' })),
      context(t.login.orOpen(input.url)),
    ],
  };
}

export interface MonitorInput {
  threshold: number;
  tokens: { available: number; used: number; expired: number; revoked: number; total: number };
  usedLast24h: number;
  pendingRequests: number;
  unreviewedGrants: number;
  lowStockUsers: Array<Person & { available: number }>;
}

export function lowStockLines(t: Texts, users: MonitorInput['lowStockUsers'], max = 25): string {
  if (users.length === 0) return t.common.none;
  const lines = users.slice(0, max).map((u) => `• ${who(u, t)}: ${u.available}`);
  if (users.length > max) lines.push(t.common.more(users.length - max));
  return lines.join('\n');
}

export function monitorMessage(t: Texts, m: MonitorInput): Message {
  const k = m.tokens;
  const blocks: Block[] = [
    header(t.monitor.header),
    fields(
      `*${t.monitor.available}*\n${k.available}`,
      `*${t.monitor.usedLabel}*\n${t.monitor.used(k.used, m.usedLast24h)}`,
      `*${t.monitor.expired}*\n${k.expired}`,
      `*${t.monitor.revoked}*\n${k.revoked}`,
      `*${t.monitor.pending}*\n${m.pendingRequests}`,
      `*${t.monitor.unreviewed}*\n${m.unreviewedGrants}`,
    ),
    section(`${t.monitor.lowStock(m.threshold)}\n${lowStockLines(t, m.lowStockUsers)}`),
  ];
  if (m.pendingRequests > 0) blocks.push(context(t.monitor.pendingHint));
  return { text: t.monitor.fallback(k.available, k.used, k.expired, m.pendingRequests), blocks };
}

/** Why a Slack user has no usable account (see bot/people.ts). */
export type NotLinkedReason = 'unknown' | 'inactive' | 'link_first' | 'not_member' | 'unverified';

/** What a Slack user with no usable account is told. */
export function notLinkedText(t: Texts, reason: NotLinkedReason): string {
  switch (reason) {
    case 'inactive':
      return t.account.inactive;
    case 'link_first':
      return t.account.linkFirst;
    case 'not_member':
      return t.account.notMember;
    case 'unverified':
      return t.account.unverified;
    default:
      return t.account.unknown;
  }
}
