// Token requests as admins see them in the channel (with Approve / Reject while pending, with the outcome
// after, its id and a link to it in the web app), the lines of its decision thread, the `pending` list,
// and the outcome DM the requester gets.
import type { ThreadEvent } from '../../api/domain/outbox';
import type { RequestStatus } from '../../db/schema';
import type { Texts } from '../i18n';
import { ACTIONS } from './ids';
import { clip } from './limits';
import { links } from './links';
import { packMessages, tokenSections } from './tokens';
import {
  actions,
  button,
  context,
  divider,
  escapeMrkdwn,
  fields,
  header,
  plainMentions,
  section,
  when,
  who,
  type Block,
  type Message,
  type Person,
} from './text';

export interface RequestCard {
  id: string;
  quantity: number;
  reason: string | null;
  status: RequestStatus;
  createdAt: Date | string;
  expiresAt: Date | string;
  decidedAt: Date | string | null;
  decisionNote: string | null;
  requester: Person;
  decider: Person | null;
  /** The requester's available tokens when the card was drawn. */
  stock: number;
}

export const reasonText = (t: Texts, r: { reason: string | null }) => (r.reason ? escapeMrkdwn(clip(r.reason, 500)) : t.common.noReason);

/** The "outcome, who decided and when" line; null while the request is pending. */
export function outcomeLine(t: Texts, r: RequestCard): string | null {
  const on = r.decidedAt ? when(r.decidedAt) : '';
  switch (r.status) {
    case 'approved': {
      const line = t.request.approved(who(r.decider, t), on, t.n.tokens(r.quantity));
      return r.decisionNote ? `${line} ${t.request.approvedNote(escapeMrkdwn(clip(r.decisionNote, 500)))}` : line;
    }
    case 'rejected':
      return t.request.rejected(who(r.decider, t), on, escapeMrkdwn(clip(r.decisionNote ?? '', 500)) || t.common.noneGiven);
    case 'expired':
      return t.request.expired(when(r.expiresAt));
    default:
      return null;
  }
}

export function decisionButtons(t: Texts, r: Pick<RequestCard, 'id' | 'quantity' | 'requester'>): Block {
  const tokens = t.n.tokens(r.quantity);
  return actions(
    `request:${r.id}`,
    button({ text: t.request.approve, label: t.request.approveLabel(tokens, r.requester.name), actionId: ACTIONS.approve, value: r.id, style: 'primary' }),
    button({ text: t.request.approveNote, label: t.request.approveNoteLabel(tokens, r.requester.name), actionId: ACTIONS.approveWithNote, value: r.id }),
    button({ text: t.request.reject, label: t.request.rejectLabel(tokens, r.requester.name), actionId: ACTIONS.reject, value: r.id, style: 'danger' }),
  );
}

/** The admin-channel message for a request: buttons while pending, the outcome (and no buttons) after. */
export function requestMessage(t: Texts, r: RequestCard, publicUrl: string): Message {
  const outcome = outcomeLine(t, r);
  const blocks: Block[] = [
    header(t.request.header(t.n.tokens(r.quantity))),
    fields(
      `*${t.request.requester}*\n${who(r.requester, t)}`,
      `*${t.request.quantity}*\n${r.quantity}`,
      `*${t.request.stock}*\n${t.n.availableTokens(r.stock)}`,
      `*${t.request.requested}*\n${when(r.createdAt)}`,
    ),
    section(`*${t.request.reason}*\n${reasonText(t, r)}`),
  ];
  if (outcome) blocks.push(section(outcome));
  else {
    blocks.push(decisionButtons(t, r));
    blocks.push(context(t.request.expiresHint(when(r.expiresAt))));
  }
  blocks.push(context(t.request.idLine(r.id, links(publicUrl).request(r.id))));
  return { text: t.request.fallback(escapeMrkdwn(r.requester.name), t.n.tokens(r.quantity), t.states[r.status]), blocks };
}

/** A line in the thread under a request's channel message: the decision trail, refusals, reminders. */
export function threadMessage(t: Texts, r: RequestCard, e: { event: ThreadEvent; actor: Person | null; note: string | null; code: string | null }): Message {
  let text: string;
  switch (e.event) {
    case 'approved':
      text = t.thread.approved(who(e.actor, t)) + (e.note ? ` ${t.thread.note(escapeMrkdwn(clip(e.note, 500)))}` : '');
      break;
    case 'rejected':
      text = t.thread.rejected(who(e.actor, t), escapeMrkdwn(clip(e.note ?? '', 500)) || t.common.noneGiven);
      break;
    case 'expired':
      text = t.thread.expired(who(r.requester, t));
      break;
    case 'refused':
      text = `${e.note === 'reject' ? t.thread.refusedReject(who(e.actor, t)) : t.thread.refusedApprove(who(e.actor, t))} ${e.code === 'self_approval' ? t.thread.refusedSelf : t.thread.refusedForbidden}`;
      break;
    case 'reminder':
      text = t.thread.reminder(who(r.requester, t), t.n.tokens(r.quantity), when(r.createdAt));
      break;
    case 'last_call':
      text = t.thread.lastCall(when(r.expiresAt, '{time}'));
      break;
  }
  return { text: plainMentions(text, t), blocks: [section(text)] };
}

/** The `pending` command's list: each request with its own buttons (2 blocks each, at most `max`). */
export function pendingList(t: Texts, requests: RequestCard[], more: boolean, max = 20): Message {
  if (requests.length === 0) return { text: t.request.pendingNone, blocks: [section(t.request.pendingNoneBody)] };
  const shown = requests.slice(0, max);
  const blocks: Block[] = [header(t.request.pendingHeader(shown.length, more || requests.length > max))];
  for (const r of shown) {
    blocks.push(section(t.request.pendingLine(who(r.requester, t), t.n.tokens(r.quantity), r.stock, when(r.createdAt), reasonText(t, r))));
    blocks.push(decisionButtons(t, r));
  }
  if (more || requests.length > max) blocks.push(context(t.request.pendingMore));
  return { text: t.n.pendingRequests(shown.length), blocks };
}

export interface OutcomeLinks {
  /** The request's message in the admin channel. */
  permalink?: string | undefined;
  appUrl: string;
}

/**
 * The requester's DM once the request is decided or expired; an approval carries the tokens (split over
 * several messages when there are thousands), or says where they are when there are none to carry.
 */
export function requestOutcomeDm(t: Texts, r: RequestCard, tokens: string[], l: OutcomeLinks): Message[] {
  const quantity = t.n.tokens(r.quantity);
  const blocks: Block[] = [];
  let body: Block[] = [];
  let text: string;
  switch (r.status) {
    case 'approved':
      text = t.outcome.approved(quantity, who(r.decider, t));
      blocks.push(section(r.decisionNote ? `${text}\n${t.thread.note(escapeMrkdwn(clip(r.decisionNote, 500)))}` : text));
      if (tokens.length) {
        body = tokenSections(tokens);
        body.push(context(t.common.keepSafe));
      } else {
        blocks.push(context(t.outcome.inApp(links(l.appUrl).myTokens)));
      }
      break;
    case 'rejected':
      text = t.outcome.rejected(quantity, who(r.decider, t));
      blocks.push(section(`${text}\n${t.outcome.rejectedReason(escapeMrkdwn(clip(r.decisionNote ?? '', 500)) || t.common.noneGiven)}`));
      break;
    case 'expired':
      text = t.outcome.expired(quantity);
      blocks.push(section(`${text} ${t.outcome.askAgain}`));
      break;
    default:
      text = t.outcome.pending(quantity);
      blocks.push(section(text));
  }
  const tail = [divider(), context(`${t.outcome.tail(when(r.createdAt), reasonText(t, r))}${l.permalink ? ` · ${t.outcome.permalink(l.permalink)}` : ''}`)];
  // The fallback text is what lock screens show: never the tokens themselves, and no raw mention syntax.
  return packMessages(t, plainMentions(text, t), blocks, body, tail);
}
