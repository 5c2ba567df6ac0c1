// The text after `/emergency-token`, parsed into one subcommand. Pure: every refusal is a sentence that
// says what was wrong and what is allowed, shown to the caller as an ephemeral message.

import { escapeMrkdwn } from '../blocks/text';

export interface ParseLimits {
  maxRequestQuantity: number;
  maxGenerateCount: number;
}

export type Command =
  | { name: 'help' }
  | { name: 'request'; quantity?: undefined }
  | { name: 'request'; quantity: number; reason: string | undefined }
  | { name: 'status' }
  | { name: 'login' }
  | { name: 'pending' }
  | { name: 'monitor' }
  | { name: 'generate'; count: number; length: number | undefined; assignee: string | undefined };

export type Parsed = { ok: true; command: Command } | { ok: false; error: string };

export const SUBCOMMANDS = ['help', 'request', 'status', 'login', 'pending', 'generate', 'monitor'] as const;
export const REASON_MAX = 500;

const usage = {
  request: '`/emergency-token request` (opens a form) or `/emergency-token request <quantity> [reason]`, e.g. `request 10 night shift ICU`',
  generate: '`/emergency-token generate <count> [length 4-6] [@user]`, e.g. `generate 20 6 @jane`',
};

const fail = (error: string): Parsed => ({ ok: false, error });
const ok = (command: Command): Parsed => ({ ok: true, command });

/** Shows the user what they typed without letting it format, mention or break out of the code span. */
export const quote = (s: string) =>
  `\`${escapeMrkdwn(s.replace(/`/g, "'").slice(0, 40))}${s.length > 40 ? '…' : ''}\``;

/** A whole number within [min, max], or a sentence saying why not. */
export function parseCount(raw: string | undefined, what: string, min: number, max: number): number | string {
  if (raw === undefined) return `Give the ${what}: a whole number from ${min} to ${max}.`;
  if (!/^[+-]?\d+$/.test(raw)) return `The ${what} must be a whole number from ${min} to ${max}; ${quote(raw)} is not one.`;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min || n > max) return `The ${what} must be from ${min} to ${max}; you gave ${quote(raw)}.`;
  return n;
}

/** `<@U123>` or `<@U123|name>` as Slack escapes a mention in command text. */
const MENTION = /^<@([UW][A-Z0-9]{2,20})(?:\|[^>]*)?>$/;

export function parseCommandText(text: string, limits: ParseLimits): Parsed {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const [first, ...rest] = words;
  const sub = first?.toLowerCase();
  const noArgs = (name: 'status' | 'login' | 'pending' | 'monitor'): Parsed =>
    rest.length ? fail(`\`${name}\` takes no arguments; remove ${quote(rest.join(' '))}.`) : ok({ name });

  switch (sub) {
    case undefined:
    case 'help':
      return ok({ name: 'help' });
    case 'status':
    case 'login':
    case 'pending':
    case 'monitor':
      return noArgs(sub);
    case 'request': {
      if (rest.length === 0) return ok({ name: 'request' });
      const quantity = parseCount(rest[0], 'quantity', 1, limits.maxRequestQuantity);
      if (typeof quantity === 'string') return fail(`${quantity}\nUsage: ${usage.request}.`);
      // The reason keeps the user's own spacing after the quantity.
      const reason = text.trim().replace(/^\S+\s+\S+\s*/, '').trim() || undefined;
      if (reason && reason.length > REASON_MAX) return fail(`The reason is ${reason.length} characters long; keep it to ${REASON_MAX}.`);
      return ok({ name: 'request', quantity, reason });
    }
    case 'generate': {
      const count = parseCount(rest[0], 'count', 1, limits.maxGenerateCount);
      if (typeof count === 'string') return fail(`${count}\nUsage: ${usage.generate}.`);
      let length: number | undefined;
      let assignee: string | undefined;
      for (const word of rest.slice(1)) {
        const mention = MENTION.exec(word);
        if (mention) {
          if (assignee) return fail(`Give at most one user to assign the tokens to.\nUsage: ${usage.generate}.`);
          assignee = mention[1];
        } else if (word.startsWith('@')) {
          return fail(`I could not tell which Slack user ${quote(word)} is. Pick them from Slack's @-mention list so the command carries their id.`);
        } else if (length === undefined && !assignee) {
          const n = parseCount(word, 'token length', 4, 6);
          if (typeof n === 'string') return fail(`${n}\nUsage: ${usage.generate}.`);
          length = n;
        } else {
          return fail(`I did not understand ${quote(word)}.\nUsage: ${usage.generate}.`);
        }
      }
      return ok({ name: 'generate', count, length, assignee });
    }
    default:
      return fail(`Unknown subcommand ${quote(first ?? '')}. Try one of: ${SUBCOMMANDS.map((s) => `\`${s}\``).join(', ')} (\`/emergency-token help\` explains each).`);
  }
}
