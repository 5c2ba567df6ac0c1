// The bot's two languages. Each person reads the bot in their account's language (set in the web app),
// else in their Slack language (users.info), else in SLACK_DEFAULT_LOCALE; the admin channel in
// SLACK_DEFAULT_LOCALE. Indonesian subcommands (`bantuan`, `minta`, ...) work for everyone.
import type { Locale } from '../../db/schema';
import { en, type Texts } from './en';
import { id } from './id';

export type { Texts };
export { en, id };
export type { Locale };
export const catalogues: Record<Locale, Texts> = { en, id };

export function texts(locale: Locale | null | undefined): Texts {
  return (locale && catalogues[locale]) || en;
}

/** Slack's locale (`id-ID`, `en-GB`) as one of ours; undefined for a language we do not speak. */
export function fromSlackLocale(slackLocale: string | undefined | null): Locale | undefined {
  const lang = slackLocale?.toLowerCase().split(/[-_]/)[0];
  return lang === 'id' || lang === 'in' ? 'id' : lang === 'en' ? 'en' : undefined;
}

export type Subcommand = keyof Texts['sub'];

/** The subcommand a typed word names, in either language (`bantuan` is `help`). */
export function subcommandOf(word: string): Subcommand | undefined {
  const w = word.toLowerCase();
  for (const t of Object.values(catalogues)) {
    const found = (Object.keys(t.sub) as Subcommand[]).find((k) => t.sub[k] === w);
    if (found) return found;
  }
  return undefined;
}
