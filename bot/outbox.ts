// Outbox delivery for Slack: the domain writes a row in the transaction of each change, and the worker
// calls deliver(row, tx) holding that row's lock. Throwing leaves the row for a later attempt (the inner
// transaction rolls back, so sealed tokens stay sealed and no channel/ts is stored).
//
// Exactly-once as far as Slack allows: each row does its idempotent steps first (chat.update of a known
// message) and at most one non-idempotent step last (a post or a DM). A failure before that last step
// repeats only idempotent work.
import type { Tx } from '../db/client';
import type { OutboxRow } from '../db/schema';
import { setGrantMessage } from '../api/domain/grants';
import { setRequestMessage } from '../api/domain/requests';
import { takeSealedTokens } from '../api/domain/tokens';
import { getUser } from '../api/domain/users';
import { grantNotice, lockoutNotice } from './blocks/grants';
import { requestMessage, requestOutcomeDm } from './blocks/requests';
import type { Message } from './blocks/text';
import { lowStockDm, tokensDm, topUpQuantity } from './blocks/tokens';
import { grantCard, requestCard } from './cards';
import type { BotDeps } from './deps';

export function createDeliver(deps: BotDeps) {
  const { client, log } = deps;
  let warnedNoChannel = false;
  const adminChannel = (): string | undefined => {
    const channel = deps.slack.adminChannel;
    if (!channel && !warnedNoChannel) {
      warnedNoChannel = true;
      log.warn('slack: SLACK_ADMIN_CHANNEL is not set; requests and emergency accesses are not posted to Slack');
    }
    return channel;
  };

  const post = async (channel: string, m: Message) => {
    const res = await client.chat.postMessage({ channel, text: m.text, blocks: m.blocks, unfurl_links: false, unfurl_media: false });
    if (!res.channel || !res.ts) throw new Error('chat.postMessage answered without channel/ts');
    return { channel: res.channel, ts: res.ts };
  };
  const update = (channel: string, ts: string, m: Message) => client.chat.update({ channel, ts, text: m.text, blocks: m.blocks });
  const dm = async (slackUserId: string, messages: Message[]) => {
    const open = await client.conversations.open({ users: slackUserId });
    const channel = open.channel?.id;
    if (!channel) throw new Error('conversations.open answered without a channel');
    for (const m of messages) await post(channel, m);
  };

  const handlers: Record<string, (payload: Record<string, unknown>, tx: Tx) => Promise<void>> = {
    async 'request.created'(p, tx) {
      const card = await requestCard(tx, String(p.requestId));
      if (!card) return;
      const channel = adminChannel();
      if (!channel) return;
      const message = requestMessage(card);
      // A redelivery after a post whose commit was lost would post twice; a stored ts means update instead.
      if (card.row.slackChannel && card.row.slackTs) {
        await update(card.row.slackChannel, card.row.slackTs, message);
        return;
      }
      const at = await post(channel, message);
      await setRequestMessage(tx, card.id, at.channel, at.ts);
    },

    async 'request.decided'(p, tx) {
      const card = await requestCard(tx, String(p.requestId));
      if (!card) return;
      if (card.row.slackChannel && card.row.slackTs) await update(card.row.slackChannel, card.row.slackTs, requestMessage(card));
      const requester = await getUser(tx, card.row.userId);
      if (!requester?.slackUserId) return; // no Slack link: the PWA shows the outcome and reveals the tokens
      const tokens = card.status === 'approved' ? await takeSealedTokens(deps.ctx, tx, requester.id) : [];
      await dm(requester.slackUserId, requestOutcomeDm(card, tokens.map((t) => t.token)));
    },

    async 'tokens.deliver'(p, tx) {
      const user = await getUser(tx, String(p.userId));
      if (!user?.slackUserId || !user.active) return; // stays sealed for the PWA's one-time reveal
      const tokens = await takeSealedTokens(deps.ctx, tx, user.id);
      if (tokens.length === 0) return; // already delivered (with the approval DM, or revealed in the PWA)
      const soonest = tokens.map((t) => t.expiresAt).sort()[0];
      await dm(user.slackUserId, tokensDm(tokens.map((t) => t.token), { expiresAt: soonest }));
    },

    async 'grant.opened'(p, tx) {
      const card = await grantCard(tx, String(p.grantId));
      if (!card) return;
      const channel = adminChannel();
      if (!channel) return;
      const message = grantNotice(card);
      if (card.slackChannel && card.slackTs) {
        await update(card.slackChannel, card.slackTs, message);
        return;
      }
      const at = await post(channel, message);
      await setGrantMessage(tx, card.id, at.channel, at.ts);
    },

    async 'grant.reviewed'(p, tx) {
      const card = await grantCard(tx, String(p.grantId));
      if (!card?.slackChannel || !card.slackTs) return;
      await update(card.slackChannel, card.slackTs, grantNotice(card));
    },

    async lockout(p, tx) {
      const channel = adminChannel();
      const user = await getUser(tx, String(p.userId));
      if (!channel || !user) return;
      await post(channel, lockoutNotice({ user: { name: user.name, slackUserId: user.slackUserId }, lockedUntil: String(p.lockedUntil) }));
    },

    async 'stock.low'(p, tx) {
      const user = await getUser(tx, String(p.userId));
      if (!user?.slackUserId || !user.active) return;
      const available = Number(p.available);
      const threshold = deps.config.lowTokenThreshold;
      await dm(user.slackUserId, [lowStockDm({ available, threshold, topUp: topUpQuantity(available, threshold, deps.config.maxRequestQuantity) })]);
    },
  };

  return async function deliver(row: OutboxRow, tx: Tx): Promise<void> {
    const handler = handlers[row.kind];
    if (!handler) {
      log.warn({ id: row.id, kind: row.kind }, 'slack: no delivery for this outbox kind; dropping it');
      return;
    }
    await handler(row.payload, tx);
  };
}
