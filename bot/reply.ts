// Telling one person something only they should see: an ephemeral reply through the payload's
// response_url when there is one (slash commands, message buttons), else a DM (App Home buttons, modals).
import type { RespondFn, webApi } from '@slack/bolt';
import type { Message } from './blocks/text';

export type Tell = (m: string | Message) => Promise<void>;

export function teller(opts: { respond?: RespondFn | undefined; client: webApi.WebClient; slackUserId: string }): Tell {
  return async (m) => {
    const message = typeof m === 'string' ? { text: m } : m;
    if (opts.respond) await opts.respond({ response_type: 'ephemeral', replace_original: false, ...message });
    else await dm(opts.client, opts.slackUserId, message);
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
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(message) });
    return res.ok;
  } catch {
    return false;
  }
}
