// Break-the-glass notices for the admin channel: each emergency access with its review buttons (then its
// verdict), and validation lockouts.
import type { Verdict } from '../../db/schema';
import { ACTIONS } from './ids';
import { links } from './links';
import { clip } from './limits';
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

export function reviewButtons(grantId: string, holder: string): Block {
  return actions(
    `grant:${grantId}`,
    button({ text: 'Mark justified', label: `Mark the emergency access by ${holder} justified`, actionId: ACTIONS.grantJustified, value: grantId, style: 'primary' }),
    button({ text: 'Flag for follow-up', label: `Flag the emergency access by ${holder} for follow-up`, actionId: ACTIONS.grantFlagged, value: grantId, style: 'danger' }),
  );
}

export function verdictLine(review: NonNullable<GrantCard['review']>): string {
  const v = review.verdict === 'justified' ? ':white_check_mark: *Marked justified*' : ':triangular_flag_on_post: *Flagged for follow-up*';
  const note = review.note ? ` Note: ${escapeMrkdwn(clip(review.note, 500))}` : '';
  return `${v} by ${who(review.reviewer)} on ${when(review.reviewedAt)}.${note}`;
}

export function grantNotice(g: GrantCard, publicUrl: string): Message {
  const blocks: Block[] = [
    header(':rotating_light: Emergency access'),
    fields(
      `*Who*\n${who(g.holder)}`,
      `*When*\n${when(g.createdAt)}`,
      `*Patient reference*\n${g.patientRef ? escapeMrkdwn(clip(g.patientRef, 100)) : '_none given_'}`,
      `*Session ends*\n${when(g.expiresAt, '{time}')}`,
    ),
    section(`*Reason*\n${escapeMrkdwn(clip(g.reason, 500))}`),
  ];
  if (g.review) blocks.push(section(verdictLine(g.review)));
  else {
    blocks.push(reviewButtons(g.id, g.holder.name));
    blocks.push(context('Every emergency access is reviewed after the fact. Only an admin other than the holder may review.'));
  }
  blocks.push(context(`<${links(publicUrl).grant(g.id)}|Open this emergency access in the web app>`));
  const state = g.review ? (g.review.verdict === 'justified' ? 'justified' : 'flagged') : 'to review';
  return { text: `Emergency access by ${escapeMrkdwn(g.holder.name)} (${state})`, blocks };
}

export function lockoutNotice(input: { user: Person; lockedUntil: Date | string }): Message {
  const text = `${escapeMrkdwn(input.user.name)} is locked out of token validation after too many failed attempts.`;
  return {
    text,
    blocks: [
      section(`:lock: ${who(input.user)} is locked out of token validation after too many failed attempts, until ${when(input.lockedUntil, '{time}')}.`),
      context('Repeated wrong tokens can mean guessing. Check with the person, and the audit log for the attempts.'),
    ],
  };
}
