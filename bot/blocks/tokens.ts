// Token plaintext in Block Kit: code blocks of a few hundred tokens each, split over as many messages as
// Slack's 50-block limit needs. Plaintext goes only into blocks, never into the fallback `text`, which
// notifications and lock screens show.
import type { Texts } from '../i18n';
import { ACTIONS } from './ids';
import { LIMITS } from './limits';
import { actions, button, context, escapeMrkdwn, section, when, who, type Block, type Message, type Person } from './text';

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
export function packMessages(t: Texts, text: string, head: Block[], body: Block[], tail: Block[], max = LIMITS.messageBlocks): Message[] {
  const all = [...head, ...body, ...tail];
  const parts: Block[][] = [];
  for (let i = 0; i < all.length; i += max) parts.push(all.slice(i, i + max));
  if (parts.length === 0) parts.push([section(text)]);
  return parts.map((blocks, i) => ({ text: parts.length > 1 ? t.common.part(text, i + 1, parts.length) : text, blocks }));
}

/** The DM that hands assigned tokens to their holder. */
export function tokensDm(t: Texts, tokens: string[], opts: { expiresAt?: string | Date | undefined } = {}): Message[] {
  const text = t.tokens.youHave(t.n.newEmergencyTokens(tokens.length));
  const expiry = opts.expiresAt ? t.tokens.expire(when(opts.expiresAt, '{date_short_pretty}')) : '';
  return packMessages(t, text, [section(`:key: ${text}${expiry}`)], tokenSections(tokens), [context(t.common.keepSafe)]);
}

/** The generating admin's ephemeral answer: plaintext only for unassigned tokens. */
export function generatedMessages(t: Texts, input: { tokens: string[]; length: number; assignee: Person | null; assigneeHasSlack: boolean }): Message[] {
  const { tokens, length, assignee } = input;
  const weak = length < 6 ? [context(t.tokens.weak(length))] : [];
  if (assignee) {
    const delivery = input.assigneeHasSlack ? t.tokens.byDm(who(assignee, t)) : t.tokens.noSlack(escapeMrkdwn(assignee.name));
    const text = t.tokens.generatedFor(t.n.tokens(tokens.length), length, escapeMrkdwn(assignee.name));
    return [
      { text, blocks: [section(`:white_check_mark: ${t.tokens.generatedFor(t.n.tokens(tokens.length), length, who(assignee, t))} ${delivery}`), ...weak] },
    ];
  }
  const text = t.tokens.generated(t.n.unassignedTokens(tokens.length), length);
  return packMessages(t, text, [section(`:key: ${text} ${t.tokens.handOut}`), ...weak], tokenSections(tokens), [context(t.common.keepSafe)]);
}

/**
 * When a token DM may or may not have arrived (its answer was lost): the tokens are not sent again, and
 * the holder is told where to reveal them once.
 */
export function tokensMaybeLostDm(t: Texts, input: { count: number; appUrl: string }): Message {
  const text = t.tokens.maybeLostText(t.n.newEmergencyTokens(input.count));
  return { text, blocks: [section(t.tokens.maybeLost(text)), section(t.tokens.maybeLostWhere(input.appUrl))] };
}

/** The low-stock DM, once per fall under the threshold, with a button that opens a prefilled request. */
export function lowStockDm(t: Texts, input: { available: number; threshold: number; topUp: number }): Message {
  const text = t.tokens.lowText(t.n.emergencyTokens(input.available), input.threshold);
  return {
    text,
    blocks: [
      section(t.tokens.low(text)),
      actions(
        undefined,
        button({
          text: t.tokens.topUp(input.topUp),
          label: t.tokens.topUpLabel(input.topUp),
          actionId: ACTIONS.openRequestModal,
          value: String(input.topUp),
          style: 'primary',
        }),
      ),
    ],
  };
}

/** How many to suggest: back up to twice the alert level, within what a request may ask for. */
export function topUpQuantity(available: number, threshold: number, maxRequestQuantity: number): number {
  return Math.max(1, Math.min(maxRequestQuantity, Math.max(threshold * 2, 1) - available));
}
