// Small mrkdwn helpers shared by the Block Kit builders. Anything a user typed (reasons, names, notes) goes
// through escapeMrkdwn, so it can neither ping a channel (`<!channel>`) nor forge a link.
import type { types } from '@slack/bolt';
import type { Texts } from '../i18n';
import { clip, LIMITS } from './limits';

export type Block = types.KnownBlock;
export type View = types.View;

export function escapeMrkdwn(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export interface Person {
  name: string;
  slackUserId?: string | null | undefined;
}

/** A Slack mention when the account is linked (Slack renders it with the viewer's display name). */
export function who(p: Person | null | undefined, t: Texts): string {
  if (!p) return t.people.someone;
  return p.slackUserId ? `<@${p.slackUserId}>` : `*${escapeMrkdwn(p.name)}*`;
}

/** A date Slack shows in each viewer's own time zone, with a UTC fallback for old clients. */
export function when(d: Date | string, format = '{date_short_pretty} {time}'): string {
  const date = typeof d === 'string' ? new Date(d) : d;
  const fallback = `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return `<!date^${Math.floor(date.getTime() / 1000)}^${format}|${fallback}>`;
}

export function section(text: string, accessory?: ReturnType<typeof button>): Block {
  return { type: 'section', text: { type: 'mrkdwn', text: clip(text, LIMITS.sectionText) }, ...(accessory && { accessory }) };
}

export function fields(...items: string[]): Block {
  return {
    type: 'section',
    fields: items.slice(0, LIMITS.sectionFields).map((t) => ({ type: 'mrkdwn', text: clip(t, LIMITS.fieldText) })),
  };
}

export function header(text: string): Block {
  return { type: 'header', text: { type: 'plain_text', text: clip(text, LIMITS.headerText), emoji: true } };
}

export function context(...texts: string[]): Block {
  return {
    type: 'context',
    elements: texts.slice(0, LIMITS.contextElements).map((t) => ({ type: 'mrkdwn', text: clip(t, LIMITS.sectionText) })),
  };
}

export const divider = (): Block => ({ type: 'divider' });

export interface ButtonSpec {
  text: string;
  /** What a screen reader says: the action and what it acts on ("Approve 3 tokens for Nurse A"). */
  label: string;
  actionId: string;
  value?: string;
  style?: 'primary' | 'danger';
  url?: string;
  confirm?: { title: string; text: string; confirm: string; deny: string };
}

export function button(b: ButtonSpec) {
  return {
    type: 'button' as const,
    text: { type: 'plain_text' as const, text: clip(b.text, LIMITS.buttonText), emoji: true },
    action_id: b.actionId,
    // Plain text read aloud: names in it must not look like Slack's <...> syntax either.
    accessibility_label: clip(b.label.replace(/[<>]/g, ''), LIMITS.buttonLabel),
    ...(b.value !== undefined && b.value !== '' && { value: b.value }),
    ...(b.style && { style: b.style }),
    ...(b.url && { url: b.url }),
    ...(b.confirm && {
      confirm: {
        title: { type: 'plain_text' as const, text: b.confirm.title },
        text: { type: 'mrkdwn' as const, text: b.confirm.text },
        confirm: { type: 'plain_text' as const, text: b.confirm.confirm },
        deny: { type: 'plain_text' as const, text: b.confirm.deny },
      },
    }),
  };
}

export function actions(blockId: string | undefined, ...buttons: ReturnType<typeof button>[]): Block {
  return { type: 'actions', ...(blockId && { block_id: blockId }), elements: buttons.slice(0, LIMITS.actionsElements) };
}

/** Fallback text (notifications, lock screens) shows mentions raw: name the person instead. */
export const plainMentions = (text: string, t: Texts) => text.replace(/<@[A-Z0-9]+>/g, t.people.someone);

/** A message payload: blocks plus the notification/fallback text (never secrets: it shows on lock screens). */
export interface Message {
  text: string;
  blocks: Block[];
}
