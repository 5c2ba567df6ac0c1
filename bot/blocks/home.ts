// App Home: what a staff member needs at a glance (stock, emergency session, recent requests, two buttons);
// admins also see the stats, the pending requests with their buttons, the unreviewed emergency accesses
// with their review buttons, who is running low, and the Slack messages that could not be delivered,
// each with a Retry. A notice on top answers a Home button that could not do its work. Lists are capped
// to stay inside 100 blocks.
import type { Texts } from '../i18n';
import { lowStockLines, type MonitorInput } from './account';
import { reviewButtons, type GrantCard } from './grants';
import { ACTIONS } from './ids';
import { clip } from './limits';
import { links } from './links';
import { decisionButtons, reasonText, type RequestCard } from './requests';
import { actions, button, context, divider, escapeMrkdwn, fields, header, section, when, who, type Block, type View } from './text';

export interface UndeliveredItem {
  id: number;
  kind: string;
  reason: string | null;
  deadAt: string | null;
}

export interface HomeInput {
  name: string;
  available: number;
  threshold: number;
  grant: { reason: string; expiresAt: string | Date } | null;
  recentRequests: RequestCard[];
  /** A line on top: what happened to the last Home button (e.g. a DM that could not be sent). */
  notice?: string | undefined;
  publicUrl: string;
  /** Present for admins only. */
  admin?: {
    stats: MonitorInput;
    pending: RequestCard[];
    unreviewed: GrantCard[];
    undelivered: { total: number; items: UndeliveredItem[] };
  };
}

const MAX_PENDING = 10;
const MAX_UNREVIEWED = 10;
const MAX_RECENT = 5;
const MAX_UNDELIVERED = 5;

const statusIcon: Record<string, string> = { pending: ':hourglass_flowing_sand:', approved: ':white_check_mark:', rejected: ':x:', expired: ':hourglass:' };

export const deliveryName = (t: Texts, kind: string) => t.home.deadKinds[kind] ?? t.home.deadOther;

export function homeView(t: Texts, h: HomeInput): View {
  const blocks: Block[] = [];
  if (h.notice) blocks.push(section(h.notice));
  blocks.push(
    header(t.home.header),
    section(
      `${t.home.available(h.available)}${h.available < h.threshold ? ` ${t.common.runningLow}` : ''}\n` +
        (h.grant ? t.home.session(when(h.grant.expiresAt, '{time}'), escapeMrkdwn(clip(h.grant.reason, 200))) : t.home.sessionNone),
    ),
    actions(
      'home_buttons',
      button({ text: t.home.request, label: t.home.requestLabel, actionId: ACTIONS.openRequestModal, value: 'home', style: 'primary' }),
      button({ text: t.home.signIn, label: t.home.signInLabel, actionId: ACTIONS.signIn, value: 'home' }),
    ),
    section(
      `${t.home.recent}\n${
        h.recentRequests.length
          ? h.recentRequests
              .slice(0, MAX_RECENT)
              .map((r) => t.home.recentLine(statusIcon[r.status] ?? '', t.n.tokens(r.quantity), t.states[r.status], when(r.createdAt, '{date_short_pretty}')))
              .join('\n')
          : t.home.noneYet
      }`,
    ),
  );

  const a = h.admin;
  if (a) {
    const k = a.stats.tokens;
    blocks.push(divider(), header(t.home.admin));
    blocks.push(
      fields(
        `*${t.monitor.available}*\n${k.available}`,
        `*${t.monitor.usedLast24h}*\n${a.stats.usedLast24h}`,
        `*${t.monitor.expired}*\n${k.expired}`,
        `*${t.monitor.revoked}*\n${k.revoked}`,
        `*${t.monitor.pending}*\n${a.stats.pendingRequests}`,
        `*${t.monitor.unreviewedShort}*\n${a.stats.unreviewedGrants}`,
      ),
    );

    if (a.undelivered.total > 0) {
      blocks.push(section(t.home.undelivered(a.undelivered.total)));
      for (const d of a.undelivered.items.slice(0, MAX_UNDELIVERED)) {
        const what = deliveryName(t, d.kind);
        blocks.push(
          section(
            t.home.undeliveredLine(what, d.reason ?? '?', d.deadAt ? when(d.deadAt) : ''),
            button({ text: t.home.retry, label: t.home.retryLabel(what), actionId: ACTIONS.retryDelivery, value: String(d.id) }),
          ),
        );
      }
      blocks.push(context(t.home.undeliveredHint(links(h.publicUrl).monitoring)));
    }

    blocks.push(section(t.home.pending(a.stats.pendingRequests)));
    if (a.pending.length === 0) blocks.push(context(t.home.nothingToDecide));
    for (const r of a.pending.slice(0, MAX_PENDING)) {
      blocks.push(section(t.home.pendingLine(who(r.requester, t), t.n.tokens(r.quantity), r.stock, when(r.createdAt), reasonText(t, r))));
      blocks.push(decisionButtons(t, r));
    }
    if (a.stats.pendingRequests > MAX_PENDING) blocks.push(context(t.common.more(a.stats.pendingRequests - MAX_PENDING)));

    blocks.push(section(t.home.unreviewed(a.stats.unreviewedGrants)));
    if (a.unreviewed.length === 0) blocks.push(context(t.home.allReviewed));
    for (const g of a.unreviewed.slice(0, MAX_UNREVIEWED)) {
      blocks.push(
        section(
          t.home.grantLine(who(g.holder, t), when(g.createdAt), g.patientRef ? escapeMrkdwn(clip(g.patientRef, 100)) : '', escapeMrkdwn(clip(g.reason, 300))),
        ),
      );
      blocks.push(reviewButtons(t, g.id, g.holder.name));
    }
    if (a.stats.unreviewedGrants > MAX_UNREVIEWED) blocks.push(context(t.home.moreInApp(a.stats.unreviewedGrants - MAX_UNREVIEWED)));

    blocks.push(section(`${t.home.lowStock(a.stats.threshold)}\n${lowStockLines(t, a.stats.lowStockUsers, 20)}`));
  }
  blocks.push(context(t.home.updated(when(new Date()))));
  return { type: 'home', blocks };
}

/** What a Slack user without a usable account sees in App Home. */
export function notLinkedHome(text: string): View {
  return { type: 'home', blocks: [section(text)] };
}
