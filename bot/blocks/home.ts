// App Home: what a staff member needs at a glance (stock, emergency session, recent requests, two buttons);
// admins also see the stats, the pending requests with Approve / Reject, the unreviewed emergency accesses
// with their review buttons, and who is running low. Lists are capped to stay inside 100 blocks.
import { lowStockLines, type MonitorInput } from './account';
import { reviewButtons, type GrantCard } from './grants';
import { ACTIONS } from './ids';
import { clip } from './limits';
import { decisionButtons, type RequestCard } from './requests';
import { actions, button, context, divider, escapeMrkdwn, fields, header, plural, section, when, who, type Block, type View } from './text';

export interface HomeInput {
  name: string;
  available: number;
  threshold: number;
  grant: { reason: string; expiresAt: string | Date } | null;
  recentRequests: RequestCard[];
  /** Present for admins only. */
  admin?: {
    stats: MonitorInput;
    pending: RequestCard[];
    unreviewed: GrantCard[];
  };
}

const MAX_PENDING = 10;
const MAX_UNREVIEWED = 10;
const MAX_RECENT = 5;

const statusIcon: Record<string, string> = { pending: ':hourglass_flowing_sand:', approved: ':white_check_mark:', rejected: ':x:', expired: ':hourglass:' };

export function homeView(h: HomeInput): View {
  const blocks: Block[] = [
    header('Emergency Token'),
    section(
      `*Your available tokens:* ${h.available}${h.available < h.threshold ? ' :warning: running low' : ''}\n` +
        (h.grant
          ? `*Emergency session:* active until ${when(h.grant.expiresAt, '{time}')} (${escapeMrkdwn(clip(h.grant.reason, 200))})`
          : '*Emergency session:* none active'),
    ),
    actions(
      'home_buttons',
      button({ text: 'Request tokens', label: 'Request emergency tokens', actionId: ACTIONS.openRequestModal, value: 'home', style: 'primary' }),
      button({ text: 'Sign in to the app', label: 'Get a one-time sign-in link for the web app by DM', actionId: ACTIONS.signIn, value: 'home' }),
    ),
    section(
      `*Your recent requests*\n${
        h.recentRequests.length
          ? h.recentRequests
              .slice(0, MAX_RECENT)
              .map((r) => `${statusIcon[r.status] ?? ''} ${plural(r.quantity, 'token')}, ${r.status}, asked ${when(r.createdAt, '{date_short_pretty}')}`)
              .join('\n')
          : '_none yet_'
      }`,
    ),
  ];

  const a = h.admin;
  if (a) {
    const t = a.stats.tokens;
    blocks.push(divider(), header('Admin'));
    blocks.push(
      fields(
        `*Available*\n${t.available}`,
        `*Used (24 h)*\n${a.stats.usedLast24h}`,
        `*Expired*\n${t.expired}`,
        `*Revoked*\n${t.revoked}`,
        `*Pending requests*\n${a.stats.pendingRequests}`,
        `*Unreviewed accesses*\n${a.stats.unreviewedGrants}`,
      ),
    );

    blocks.push(section(`*Pending requests* (${a.stats.pendingRequests})`));
    if (a.pending.length === 0) blocks.push(context('Nothing to decide.'));
    for (const r of a.pending.slice(0, MAX_PENDING)) {
      blocks.push(section(`${who(r.requester)}: *${plural(r.quantity, 'token')}* (has ${r.stock}) · ${when(r.createdAt)}\n>${r.reason ? escapeMrkdwn(clip(r.reason, 300)) : '_no reason given_'}`));
      blocks.push(decisionButtons(r));
    }
    if (a.stats.pendingRequests > MAX_PENDING) blocks.push(context(`…and ${a.stats.pendingRequests - MAX_PENDING} more.`));

    blocks.push(section(`*Unreviewed emergency accesses* (${a.stats.unreviewedGrants})`));
    if (a.unreviewed.length === 0) blocks.push(context('All reviewed.'));
    for (const g of a.unreviewed.slice(0, MAX_UNREVIEWED)) {
      blocks.push(section(`${who(g.holder)} · ${when(g.createdAt)}${g.patientRef ? ` · patient ${escapeMrkdwn(clip(g.patientRef, 100))}` : ''}\n>${escapeMrkdwn(clip(g.reason, 300))}`));
      blocks.push(reviewButtons(g.id, g.holder.name));
    }
    if (a.stats.unreviewedGrants > MAX_UNREVIEWED) blocks.push(context(`…and ${a.stats.unreviewedGrants - MAX_UNREVIEWED} more in the web app.`));

    blocks.push(section(`*Low stock* (under ${a.stats.threshold})\n${lowStockLines(a.stats.lowStockUsers, 20)}`));
  }
  blocks.push(context(`Updated ${when(new Date())}`));
  return { type: 'home', blocks };
}
