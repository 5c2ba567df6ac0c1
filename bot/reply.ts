// Telling one person something only they should see, so that no interaction ends in silence: an
// ephemeral reply through the payload's response_url when there is one (slash commands, message
// buttons), else a DM; and when that fails too (App Home buttons), a notice on top of their App Home.
import type { RespondFn, webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import type { Message } from './blocks/text';

export type Tell = (m: string | Message) => Promise<void>;

export interface TellerOptions {
  respond?: RespondFn | undefined;
  client: webApi.WebClient;
  slackUserId: string;
  log: Logger;
  /** The last resort: show it on the person's App Home. */
  home?: ((notice: string) => Promise<void>) | undefined;
}

export function teller(opts: TellerOptions): Tell {
  return async (m) => {
    const message = typeof m === 'string' ? { text: m } : m;
    if (opts.respond) {
      try {
        await opts.respond({ response_type: 'ephemeral', replace_original: false, ...message });
        return;
      } catch (err) {
        opts.log.warn({ err: String(err) }, 'slack: an ephemeral answer failed; trying a DM');
      }
    }
    try {
      await dm(opts.client, opts.slackUserId, message);
      return;
    } catch (err) {
      opts.log.warn({ err: String(err) }, 'slack: a DM answer failed');
      if (!opts.home) throw err;
    }
    await opts.home(message.text);
  };
}

/** A DM: posted to the user id, which Slack delivers to the app's DM with them (no im:write needed). */
export async function dm(client: webApi.WebClient, slackUserId: string, message: { text: string; blocks?: Message['blocks'] }): Promise<void> {
  await client.chat.postMessage({ channel: slackUserId, ...message, unfurl_links: false, unfurl_media: false });
}

/**
 * Answers through a response_url kept in a modal's private_metadata (valid 30 minutes, up to five times).
 * Resolves false when it did not work, so the caller can fall back to a DM.
 */
export async function respondTo(url: string | undefined, message: Record<string, unknown>): Promise<boolean> {
  if (!url) return false;
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(message),
      signal: AbortSignal.timeout(3000),
    });
    return res.ok;
  } catch {
    return false;
  }
}
