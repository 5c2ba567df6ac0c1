// The Slack calls a delivery makes, on the outbox's own client (no retries of its own: the outbox
// retries; rate limits come back as errors carrying Retry-After). A DM is posted to the user id, which
// Slack delivers to the app's DM with them: no conversations.open, so no im:write scope.
import type { webApi } from '@slack/bolt';
import type { Message } from '../blocks/text';

export interface Posted {
  channel: string;
  ts: string;
}

export class SlackOut {
  constructor(private readonly client: webApi.WebClient) {}

  async post(channel: string, m: Message, opts: { threadTs?: string | undefined } = {}): Promise<Posted> {
    const res = await this.client.chat.postMessage({
      channel,
      text: m.text,
      blocks: m.blocks,
      unfurl_links: false,
      unfurl_media: false,
      ...(opts.threadTs && { thread_ts: opts.threadTs }),
    });
    if (!res.channel || !res.ts) throw new Error('chat.postMessage answered without channel/ts');
    return { channel: res.channel, ts: res.ts };
  }

  async update(at: Posted, m: Message): Promise<void> {
    await this.client.chat.update({ channel: at.channel, ts: at.ts, text: m.text, blocks: m.blocks });
  }

  dm(slackUserId: string, m: Message): Promise<Posted> {
    return this.post(slackUserId, m);
  }

  /** A link to a message, or undefined when Slack cannot give one (the message is gone, Slack is down). */
  async permalink(at: Posted): Promise<string | undefined> {
    try {
      const res = await this.client.chat.getPermalink({ channel: at.channel, message_ts: at.ts });
      return res.permalink;
    } catch {
      return undefined;
    }
  }
}
