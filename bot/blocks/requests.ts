// Token requests as admins see them in the channel (with Approve / Reject while pending, with the outcome
// after), the `pending` list, and the outcome DM the requester gets.
import type { RequestStatus } from '../../db/schema';
import type { ThreadEvent } from '../../api/domain/outbox';
import { ACTIONS } from './ids';
import { links } from './links';
import { clip } from './limits';
import { packMessages, tokenSections } from './tokens';
import { actions, button, context, divider, escapeMrkdwn, fields, header, plural, section, when, who, type Block, type Message, type Person } from './text';

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

const reasonText = (r: { reason: string | null }) => (r.reason ? escapeMrkdwn(clip(r.reason, 500)) : '_no reason given_');

/** The "outcome, who decided and when" line; null while the request is pending. */
export function outcomeLine(r: RequestCard): string | null {
  switch (r.status) {
    case 'approved':
      return `:white_check_mark: *Approved* by ${who(r.decider)}${r.decidedAt ? ` on ${when(r.decidedAt)}` : ''}: ${plural(r.quantity, 'token')} issued.`;
    case 'rejected':
      return `:x: *Rejected* by ${who(r.decider)}${r.decidedAt ? ` on ${when(r.decidedAt)}` : ''}. Reason: ${escapeMrkdwn(clip(r.decisionNote ?? '', 500)) || '_none_'}`;
    case 'expired':
      return `:hourglass: *Expired* on ${when(r.expiresAt)} without a decision.`;
    default:
      return null;
  }
}

export function decisionButtons(r: Pick<RequestCard, 'id' | 'quantity' | 'requester'>): Block {
  const what = `${plural(r.quantity, 'token')} for ${r.requester.name}`;
  return actions(
    `request:${r.id}`,
    button({ text: 'Approve', label: `Approve ${what}`, actionId: ACTIONS.approve, value: r.id, style: 'primary' }),
    button({ text: 'Reject', label: `Reject ${what}`, actionId: ACTIONS.reject, value: r.id, style: 'danger' }),
  );
}

/** The admin-channel message for a request: buttons while pending, the outcome (and no buttons) after. */
export function requestMessage(r: RequestCard, publicUrl: string): Message {
  const outcome = outcomeLine(r);
  const blocks: Block[] = [
    header(`Token request: ${plural(r.quantity, 'token')}`),
    fields(
      `*Requester*\n${who(r.requester)}`,
      `*Quantity*\n${r.quantity}`,
      `*Current stock*\n${plural(r.stock, 'available token')}`,
      `*Requested*\n${when(r.createdAt)}`,
    ),
    section(`*Reason*\n${reasonText(r)}`),
  ];
  if (outcome) blocks.push(section(outcome));
  else {
    blocks.push(decisionButtons(r));
    blocks.push(context(`Expires ${when(r.expiresAt)} if nobody decides. Only an admin other than the requester may decide.`));
  }
  blocks.push(context(`Request \`${r.id}\` · <${links(publicUrl).request(r.id)}|Open in the web app> · the decision trail is in the thread`));
  const status = r.status === 'pending' ? 'pending' : r.status;
  return { text: `Token request from ${escapeMrkdwn(r.requester.name)}: ${plural(r.quantity, 'token')} (${status})`, blocks };
}

/** The `pending` command's list: each request with its own Approve / Reject (2 blocks each, at most `max`). */
export function pendingList(requests: RequestCard[], more: boolean, max = 20): Message {
  if (requests.length === 0) return { text: 'No pending requests.', blocks: [section(':tada: No pending requests.')] };
  const shown = requests.slice(0, max);
  const blocks: Block[] = [header(`Pending requests (${shown.length}${more || requests.length > max ? '+' : ''})`)];
  for (const r of shown) {
    blocks.push(section(`${who(r.requester)} asks for *${plural(r.quantity, 'token')}* (has ${r.stock}) · ${when(r.createdAt)}\n>${reasonText(r)}`));
    blocks.push(decisionButtons(r));
  }
  if (more || requests.length > max) blocks.push(context('There are more: decide these first, or use the web app’s Requests screen.'));
  return { text: `${plural(shown.length, 'pending request')}`, blocks };
}

/** A line in the thread under a request's channel message: the decision trail, refusals, reminders. */
export function threadMessage(r: RequestCard, e: { event: ThreadEvent; actor: Person | null; note: string | null; code: string | null }): Message {
  let text: string;
  switch (e.event) {
    case 'approved':
      text = `:white_check_mark: Approved by ${who(e.actor)}.${e.note ? ` Note: ${escapeMrkdwn(clip(e.note, 500))}` : ''}`;
      break;
    case 'rejected':
      text = `:x: Rejected by ${who(e.actor)}. Reason: ${escapeMrkdwn(clip(e.note ?? '', 500)) || '_none given_'}`;
      break;
    case 'expired':
      text = `:hourglass: Expired, no decision. ${who(r.requester)} has been told.`;
      break;
    case 'refused':
      text = `:no_entry: ${who(e.actor)} tried to ${e.note === 'reject' ? 'reject' : 'approve'} this request and was refused: ${e.code === 'self_approval' ? 'it is their own request' : 'they are not an admin'}.`;
      break;
    case 'reminder':
      text = `:alarm_clock: Still waiting for a decision: ${who(r.requester)} asked for ${plural(r.quantity, 'token')} ${when(r.createdAt)}.`;
      break;
    case 'last_call':
      text = `:hourglass_flowing_sand: Last call: this request expires ${when(r.expiresAt, '{time}')} unless an admin decides.`;
      break;
  }
  return { text: text.replace(/<@[A-Z0-9]+>/g, 'someone'), blocks: [section(text)] };
}

export interface OutcomeLinks {
  /** The request's message in the admin channel. */
  permalink?: string | undefined;
  appUrl: string;
}

/**
 * The requester's DM once the request is decided or expired; an approval carries the tokens (split over
 * several messages when there are thousands).
 */
export function requestOutcomeDm(r: RequestCard, tokens: string[], l: OutcomeLinks): Message[] {
  const what = `your request for ${plural(r.quantity, 'token')}`;
  const blocks: Block[] = [];
  let body: Block[] = [];
  let text: string;
  switch (r.status) {
    case 'approved':
      text = `:white_check_mark: ${capitalize(what)} was approved by ${who(r.decider)}.`;
      blocks.push(section(text));
      if (tokens.length) {
        body = tokenSections(tokens);
        body.push(context('Each token works once. Keep them private: this is the only time they are shown.'));
      } else {
        blocks.push(context(`Your new tokens are in the web app: <${links(l.appUrl).myTokens}|My tokens> (reveal them there once, if you have not yet).`));
      }
      break;
    case 'rejected':
      text = `:x: ${capitalize(what)} was rejected by ${who(r.decider)}.`;
      blocks.push(section(`${text}\nReason: ${escapeMrkdwn(clip(r.decisionNote ?? '', 500)) || '_none given_'}`));
      break;
    case 'expired':
      text = `:hourglass: ${capitalize(what)} expired without a decision.`;
      blocks.push(section(`${text} Ask again with \`/emergency-token request\` if you still need tokens.`));
      break;
    default:
      text = `${capitalize(what)} is pending.`;
      blocks.push(section(text));
  }
  const tail = [divider(), context(`Requested ${when(r.createdAt)}. Reason: ${reasonText(r)}${l.permalink ? ` · <${l.permalink}|The request in the admins' channel>` : ''}`)];
  // The fallback text is what lock screens show: never the tokens themselves, and no raw mention syntax.
  return packMessages(text.replace(/<@[A-Z0-9]+>/g, 'an admin'), blocks, body, tail);
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
