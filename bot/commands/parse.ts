// The text after `/emergency-token`, parsed into one subcommand. Pure: every refusal is a sentence, in
// the caller's language, that says what was wrong and what is allowed, shown as an ephemeral message.
// Subcommands may be typed in English or Indonesian (`bantuan`, `minta`, `masuk`, `tertunda`, `buat`,
// `pantau`).
import { escapeMrkdwn } from '../blocks/text';
import { en, subcommandOf, type Subcommand, type Texts } from '../i18n';
import { REQUEST_REASON_MAX, SlackUserId, TokenLength } from '../../api/domain/input';

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

export const SUBCOMMANDS: readonly Subcommand[] = ['help', 'request', 'status', 'login', 'pending', 'generate', 'monitor'];
export const REASON_MAX = REQUEST_REASON_MAX;

const fail = (error: string): Parsed => ({ ok: false, error });
const ok = (command: Command): Parsed => ({ ok: true, command });

/** Shows the user what they typed without letting it format, mention or break out of the code span. */
export const quote = (s: string) => `\`${escapeMrkdwn(s.replace(/`/g, "'").slice(0, 40))}${s.length > 40 ? '…' : ''}\``;

/** A whole number within [min, max], or a sentence saying why not. */
export function parseCount(raw: string | undefined, what: string, min: number, max: number, t: Texts = en): number | string {
  if (raw === undefined) return t.parse.giveNumber(what, min, max);
  if (!/^[+-]?\d+$/.test(raw)) return t.parse.notWhole(what, min, max, quote(raw));
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min || n > max) return t.parse.outOfRange(what, min, max, quote(raw));
  return n;
}

/** `<@U123>` or `<@U123|name>` as Slack escapes a mention in command text. */
const MENTION = /^<@([^|>]+)(?:\|[^>]*)?>$/;

export function parseCommandText(text: string, limits: ParseLimits, t: Texts = en): Parsed {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const [first, ...rest] = words;
  const sub = first === undefined ? 'help' : subcommandOf(first);
  const usage = (u: string) => t.parse.usage(u);
  const noArgs = (name: 'status' | 'login' | 'pending' | 'monitor'): Parsed =>
    rest.length ? fail(t.parse.noArgs(first!.toLowerCase(), quote(rest.join(' ')))) : ok({ name });

  switch (sub) {
    case 'help':
      return ok({ name: 'help' });
    case 'status':
    case 'login':
    case 'pending':
    case 'monitor':
      return noArgs(sub);
    case 'request': {
      if (rest.length === 0) return ok({ name: 'request' });
      const quantity = parseCount(rest[0], t.parse.quantity, 1, limits.maxRequestQuantity, t);
      if (typeof quantity === 'string') return fail(`${quantity}\n${usage(t.parse.usageRequest)}`);
      // The reason keeps the user's own spacing after the quantity.
      const reason =
        text
          .trim()
          .replace(/^\S+\s+\S+\s*/, '')
          .trim() || undefined;
      if (reason && reason.length > REASON_MAX) return fail(t.parse.reasonTooLong(reason.length, REASON_MAX));
      return ok({ name: 'request', quantity, reason });
    }
    case 'generate': {
      const count = parseCount(rest[0], t.parse.count, 1, limits.maxGenerateCount, t);
      if (typeof count === 'string') return fail(`${count}\n${usage(t.parse.usageGenerate)}`);
      let length: number | undefined;
      let assignee: string | undefined;
      for (const word of rest.slice(1)) {
        const mention = MENTION.exec(word);
        if (mention && SlackUserId.safeParse(mention[1]).success) {
          if (assignee) return fail(`${t.parse.oneUser}\n${usage(t.parse.usageGenerate)}`);
          assignee = mention[1];
        } else if (word.startsWith('@')) {
          return fail(t.parse.whichUser(quote(word)));
        } else if (length === undefined && !assignee) {
          const n = parseCount(word, t.parse.tokenLength, TokenLength.minValue!, TokenLength.maxValue!, t);
          if (typeof n === 'string') return fail(`${n}\n${usage(t.parse.usageGenerate)}`);
          length = n;
        } else {
          return fail(`${t.parse.notUnderstood(quote(word))}\n${usage(t.parse.usageGenerate)}`);
        }
      }
      return ok({ name: 'generate', count, length, assignee });
    }
    default:
      return fail(t.parse.unknown(quote(first ?? ''), SUBCOMMANDS.map((s) => `\`${t.sub[s]}\``).join(', ')));
  }
}
