// Token plaintext in Block Kit: code blocks of a few hundred tokens each, split over as many messages as
// Slack's 50-block limit needs. Plaintext goes only into blocks, never into the fallback `text`, which
// notifications and lock screens show.
import { ACTIONS } from './ids';
import { LIMITS } from './limits';
import { actions, button, context, escapeMrkdwn, plural, section, when, who, type Block, type Message, type Person } from './text';

/** 50 lines of 6 six-digit tokens: about 2,400 characters, well inside a section's 3,000. */
export const TOKENS_PER_LINE = 6;
export const TOKENS_PER_SECTION = 300;

export function tokenSections(tokens: string[]): Block[] {
  const blocks: Block[] = [];
  for (let i = 0; i < tokens.length; i += TOKENS_PER_SECTION) {
    const chunk = tokens.slice(i, i + TOKENS_PER_SECTION);
    const lines: string[] = [];
    for (let j = 0; j < chunk.length; j += TOKENS_PER_LINE) lines.push(chunk.slice(j, j + TOKENS_PER_LINE).join('  '));
    blocks.push(section(`\`\`\`${lines.join('\n')}\`\`\``));
  }
  return blocks;
}

/**
 * Packs `head`, then `body`, then `tail` into messages of at most 50 blocks; every message carries the
 * same fallback text with a "(part i of n)" suffix when there is more than one.
 */
export function packMessages(text: string, head: Block[], body: Block[], tail: Block[], max = LIMITS.messageBlocks): Message[] {
  const all = [...head, ...body, ...tail];
  const parts: Block[][] = [];
  for (let i = 0; i < all.length; i += max) parts.push(all.slice(i, i + max));
  if (parts.length === 0) parts.push([section(text)]);
  return parts.map((blocks, i) => ({ text: parts.length > 1 ? `${text} (part ${i + 1} of ${parts.length})` : text, blocks }));
}

const KEEP_SAFE = 'Each token works once. Keep them private: this is the only time they are shown.';

/** The DM that hands assigned tokens to their holder. */
export function tokensDm(tokens: string[], opts: { expiresAt?: string | Date | undefined } = {}): Message[] {
  const text = `You have ${plural(tokens.length, 'new emergency token')}.`;
  const expiry = opts.expiresAt ? ` They expire ${when(opts.expiresAt, '{date_short_pretty}')}.` : '';
  return packMessages(text, [section(`:key: ${text}${expiry}`)], tokenSections(tokens), [context(KEEP_SAFE)]);
}

/** The generating admin's ephemeral answer: plaintext only for unassigned tokens. */
export function generatedMessages(input: { tokens: string[]; length: number; assignee: Person | null; assigneeHasSlack: boolean }): Message[] {
  const { tokens, length, assignee } = input;
  const weak = length < 6 ? [context(`:warning: ${length}-digit tokens have less than the 20 bits of entropy OWASP ASVS asks of a one-time code; 6 digits is the recommended length.`)] : [];
  if (assignee) {
    const delivery = input.assigneeHasSlack
      ? `${who(assignee)} gets them by DM.`
      : `*${escapeMrkdwn(assignee.name)}* has no Slack link: they can reveal them once in the web app.`;
    const text = `Generated ${plural(tokens.length, 'token')} of ${length} digits for ${escapeMrkdwn(assignee.name)}.`;
    return [{ text, blocks: [section(`:white_check_mark: Generated ${plural(tokens.length, 'token')} of ${length} digits for ${who(assignee)}. ${delivery}`), ...weak] }];
  }
  const text = `Generated ${plural(tokens.length, 'unassigned token')} of ${length} digits.`;
  return packMessages(text, [section(`:key: ${text} Anyone signed in can use them; hand them out yourself.`), ...weak], tokenSections(tokens), [context(KEEP_SAFE)]);
}

/**
 * When a token DM may or may not have arrived (its answer was lost): the tokens are not sent again, and
 * the holder is told where to reveal them once.
 */
export function tokensMaybeLostDm(input: { count: number; appUrl: string }): Message {
  const text = `I could not confirm that your ${plural(input.count, 'new emergency token')} reached you.`;
  return {
    text,
    blocks: [
      section(`:warning: ${text} So that no token is ever sent twice, I will not send them again.`),
      section(`Open the web app → <${input.appUrl}|My tokens> and reveal them there; they are shown once. If my earlier message did arrive, these are the same tokens.`),
    ],
  };
}

/** The low-stock DM, once per crossing of the threshold, with a button that opens a prefilled request. */
export function lowStockDm(input: { available: number; threshold: number; topUp: number }): Message {
  const text = `You have ${plural(input.available, 'emergency token')} left (alert level ${input.threshold}).`;
  return {
    text,
    blocks: [
      section(`:warning: ${text} Request more before you run out.`),
      actions(undefined, button({ text: `Request ${input.topUp} more`, label: `Request ${input.topUp} more tokens`, actionId: ACTIONS.openRequestModal, value: String(input.topUp), style: 'primary' })),
    ],
  };
}

/** How many to suggest: back up to twice the alert level, within what a request may ask for. */
export function topUpQuantity(available: number, threshold: number, maxRequestQuantity: number): number {
  return Math.max(1, Math.min(maxRequestQuantity, Math.max(threshold * 2, 1) - available));
}
