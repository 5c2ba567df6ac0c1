// Ephemeral answers to the slash command (help, status, monitor) and the sign-in DM.
import { clip } from './limits';
import { ACTIONS } from './ids';
import { type RequestCard } from './requests';
import { actions, button, context, escapeMrkdwn, fields, header, plural, section, when, who, type Block, type Message, type Person } from './text';

export interface HelpInput {
  isAdmin: boolean;
  maxRequestQuantity: number;
  maxGenerateCount: number;
}

export function helpMessage(h: HelpInput): Message {
  const staff = [
    '`/emergency-token request`: open a form to ask for tokens',
    `\`/emergency-token request <1-${h.maxRequestQuantity}> [reason]\`: ask directly, e.g. \`request 10 night shift ICU\``,
    '`/emergency-token status`: your available tokens, pending requests and emergency session',
    '`/emergency-token login`: a one-time link (by DM) that signs you in to the web app',
    '`/emergency-token help`: this list',
  ];
  const admin = [
    '`/emergency-token pending`: pending requests, with Approve / Reject',
    `\`/emergency-token generate <1-${h.maxGenerateCount}> [length 4-6] [@user]\`: generate tokens (6 digits by default), for a user or unassigned`,
    '`/emergency-token monitor`: stock, pending requests, unreviewed emergency accesses, low-stock users',
  ];
  const blocks: Block[] = [section(`*Emergency Token* — what you can do:\n${staff.map((l) => `• ${l}`).join('\n')}`)];
  if (h.isAdmin) blocks.push(section(`*As an admin:*\n${admin.map((l) => `• ${l}`).join('\n')}`));
  blocks.push(context('Requests go to the admins’ channel; the outcome and your tokens arrive by DM.'));
  return { text: 'Emergency Token: what you can do', blocks };
}

export interface StatusInput {
  available: number;
  pending: RequestCard[];
  grant: { reason: string; patientRef: string | null; expiresAt: string | Date } | null;
  threshold: number;
}

export function statusMessage(s: StatusInput): Message {
  const low = s.available < s.threshold ? ' :warning: running low' : '';
  const blocks: Block[] = [
    section(`*Available tokens:* ${s.available}${low}`),
    section(
      s.pending.length
        ? `*Pending requests:*\n${s.pending
            .slice(0, 10)
            .map((r) => `• ${plural(r.quantity, 'token')}, asked ${when(r.createdAt)}${r.reason ? `: ${escapeMrkdwn(clip(r.reason, 200))}` : ''}`)
            .join('\n')}`
        : '*Pending requests:* none',
    ),
    section(
      s.grant
        ? `*Emergency session:* active until ${when(s.grant.expiresAt, '{time}')}. Reason: ${escapeMrkdwn(clip(s.grant.reason, 300))}`
        : '*Emergency session:* none active',
    ),
  ];
  return { text: `You have ${plural(s.available, 'available token')}.`, blocks };
}

export function loginDm(input: { url: string; expiresAt: Date | string }): Message {
  return {
    text: 'Your sign-in link for the Emergency Token web app',
    blocks: [
      section(`:link: Here is your one-time sign-in link for the Emergency Token web app. It works once, until ${when(input.expiresAt, '{time}')}.`),
      actions(undefined, button({ text: 'Sign in to the app', label: 'Open the one-time sign-in link for the web app', actionId: ACTIONS.openLink, url: input.url, style: 'primary' })),
      context(`Or open <${input.url}|this link>. Do not forward it: it signs in as you.`),
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

export function lowStockLines(users: MonitorInput['lowStockUsers'], max = 25): string {
  if (users.length === 0) return 'none';
  const lines = users.slice(0, max).map((u) => `• ${who(u)}: ${u.available}`);
  if (users.length > max) lines.push(`…and ${users.length - max} more`);
  return lines.join('\n');
}

export function monitorMessage(m: MonitorInput): Message {
  const t = m.tokens;
  const blocks: Block[] = [
    header('Emergency Token: monitoring'),
    fields(
      `*Available*\n${t.available}`,
      `*Used*\n${t.used} (${m.usedLast24h} in 24 h)`,
      `*Expired*\n${t.expired}`,
      `*Revoked*\n${t.revoked}`,
      `*Pending requests*\n${m.pendingRequests}`,
      `*Unreviewed emergency accesses*\n${m.unreviewedGrants}`,
    ),
    section(`*Low stock* (under ${m.threshold}):\n${lowStockLines(m.lowStockUsers)}`),
  ];
  if (m.pendingRequests > 0) blocks.push(context('`/emergency-token pending` lists the requests with Approve / Reject.'));
  return { text: `Tokens: ${t.available} available, ${t.used} used, ${t.expired} expired; ${m.pendingRequests} pending requests.`, blocks };
}

/** What a Slack user with no usable account is told (auto-provisioning off, or deactivated). */
export function notLinkedText(reason: 'unknown' | 'inactive'): string {
  return reason === 'inactive'
    ? 'Your Emergency Token account is deactivated. Ask an admin if you need it back.'
    : 'Your Slack account is not linked to an Emergency Token account yet. Ask an admin to add you (with your Slack member id) in the web app.';
}
