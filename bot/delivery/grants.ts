// Break-the-glass notices in the admin channel (posted, then redrawn with the review) and lockouts of
// validation and of sign-in.
import { setGrantMessage } from '../../api/domain/grants';
import { getUser } from '../../api/domain/users';
import type { OutboxPayload } from '../../api/domain/outbox';
import { grantNotice, loginLockoutNotice, lockoutNotice } from '../blocks/grants';
import { grantCard } from '../cards';
import type { BotDeps } from '../deps';
import type { Handlers } from './handlers';

export function grantDeliveries(deps: BotDeps, adminChannel: () => string | undefined): Handlers {
  const { out } = deps;
  return {
    async 'grant.opened'(d) {
      const card = await grantCard(deps.ctx.db, String(d.row.payload.grantId));
      const channel = adminChannel();
      if (!card || !channel) return;
      const message = grantNotice(deps.people.channelTexts(), card, deps.ctx.config.publicUrl);
      // A redelivery after a post whose ts was not recorded would post twice; a stored ts means update instead.
      if (card.slackChannel && card.slackTs) return out.update({ channel: card.slackChannel, ts: card.slackTs }, message);
      const at = await out.post(channel, message);
      await setGrantMessage(deps.ctx.db, card.id, at.channel, at.ts);
    },

    async 'grant.reviewed'(d) {
      const card = await grantCard(deps.ctx.db, String(d.row.payload.grantId));
      // No notice to redraw (no channel, or its post is a dead letter: a retried post shows the verdict).
      if (!card?.slackChannel || !card.slackTs) return;
      await out.update({ channel: card.slackChannel, ts: card.slackTs }, grantNotice(deps.people.channelTexts(), card, deps.ctx.config.publicUrl));
    },

    async lockout(d) {
      const channel = adminChannel();
      if (!channel) return;
      const p = d.row.payload as OutboxPayload<'lockout'>;
      if (p.scope === 'login') {
        const account = p.userId ? await getUser(deps.ctx.db, p.userId) : undefined;
        await out.post(
          channel,
          loginLockoutNotice(deps.people.channelTexts(), { ...p, account: account ? { name: account.name, slackUserId: account.slackUserId } : null }),
        );
        return;
      }
      const user = await getUser(deps.ctx.db, p.userId);
      if (!user) return;
      await out.post(
        channel,
        lockoutNotice(deps.people.channelTexts(), { user: { name: user.name, slackUserId: user.slackUserId }, lockedUntil: p.lockedUntil }),
      );
    },
  };
}
