// Break-the-glass notices for the admin channel: each emergency access with its review buttons (then its
// verdict) and a link to it in the web app, and lockouts (of validation, and of sign-in).
import type { LoginLockout } from '../../api/domain/outbox';
import type { Verdict } from '../../db/schema';
import type { Texts } from '../i18n';
import { ACTIONS } from './ids';
import { clip } from './limits';
import { links } from './links';
import { actions, button, context, escapeMrkdwn, fields, header, section, when, who, type Block, type Message, type Person } from './text';

export interface GrantCard {
  id: string;
  holder: Person;
  reason: string;
  patientRef: string | null;
  createdAt: Date | string;
  expiresAt: Date | string;
  review: { verdict: Verdict; reviewer: Person | null; reviewedAt: Date | string; note: string | null } | null;
}

export function reviewButtons(t: Texts, grantId: string, holder: string): Block {
  return actions(
    `grant:${grantId}`,
    button({ text: t.grant.justified, label: t.grant.justifiedLabel(holder), actionId: ACTIONS.grantJustified, value: grantId, style: 'primary' }),
    button({ text: t.grant.flagged, label: t.grant.flaggedLabel(holder), actionId: ACTIONS.grantFlagged, value: grantId, style: 'danger' }),
  );
}

export function verdictLine(t: Texts, review: NonNullable<GrantCard['review']>): string {
  const by = who(review.reviewer, t);
  const on = when(review.reviewedAt);
  const v = review.verdict === 'justified' ? t.grant.verdictJustified(by, on) : t.grant.verdictFlagged(by, on);
  return review.note ? `${v} ${t.grant.note(escapeMrkdwn(clip(review.note, 500)))}` : v;
}

export function grantNotice(t: Texts, g: GrantCard, publicUrl: string): Message {
  const blocks: Block[] = [
    header(t.grant.header),
    fields(
      `*${t.grant.who}*\n${who(g.holder, t)}`,
      `*${t.grant.when}*\n${when(g.createdAt)}`,
      `*${t.grant.patient}*\n${g.patientRef ? escapeMrkdwn(clip(g.patientRef, 100)) : t.common.noneGiven}`,
      `*${t.grant.ends}*\n${when(g.expiresAt, '{time}')}`,
    ),
    section(`*${t.grant.reason}*\n${escapeMrkdwn(clip(g.reason, 500))}`),
  ];
  if (g.review) blocks.push(section(verdictLine(t, g.review)));
  else {
    blocks.push(reviewButtons(t, g.id, g.holder.name));
    blocks.push(context(t.grant.reviewHint));
  }
  blocks.push(context(t.grant.link(links(publicUrl).grant(g.id))));
  const state = g.review ? (g.review.verdict === 'justified' ? t.grant.state.justified : t.grant.state.flagged) : t.grant.state.review;
  return { text: t.grant.fallback(escapeMrkdwn(g.holder.name), state), blocks };
}

export function lockoutNotice(t: Texts, input: { user: Person; lockedUntil: Date | string }): Message {
  return {
    text: t.grant.lockoutText(escapeMrkdwn(input.user.name)),
    blocks: [section(t.grant.lockout(who(input.user, t), when(input.lockedUntil, '{time}'))), context(t.grant.lockoutHint)],
  };
}

/** A sign-in lockout: what is locked (the account for everyone, an address, or the two together) and until when. */
export function loginLockoutNotice(
  t: Texts,
  input: Pick<LoginLockout, 'by' | 'username' | 'ip' | 'lockedUntil' | 'failures'> & { account: Person | null },
): Message {
  const account = input.account ? who(input.account, t) : t.grant.noAccount(escapeMrkdwn(clip(input.username, 100)));
  const ip = input.ip ? `\`${input.ip}\`` : t.grant.unknownAddress;
  const until = when(input.lockedUntil, '{time}');
  const line =
    input.by === 'address'
      ? t.grant.loginLockout.address(ip, until, input.failures)
      : input.by === 'username'
        ? t.grant.loginLockout.username(account, until, input.failures)
        : t.grant.loginLockout.pair(account, ip, until, input.failures);
  const name = escapeMrkdwn(clip(input.account?.name ?? input.username, 100));
  return {
    text: input.by === 'address' ? t.grant.loginLockoutAddressText(input.ip ?? t.grant.unknownAddress) : t.grant.loginLockoutText(name),
    blocks: [section(line), context(t.grant.loginLockoutHint)],
  };
}
