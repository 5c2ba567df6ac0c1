// A request in the admin channel: its message (posted, then redrawn on decision or expiry), the decision
// trail in the message's thread, and the requester's DM with the outcome (an approval carries the tokens,
// at most once). Separate rows: a message that cannot be redrawn never holds back the requester's DM.
import type { ThreadEvent } from '../../api/domain/outbox';
import { setRequestMessage } from '../../api/domain/requests';
import { holdSealedTokens } from '../../api/domain/tokens';
import { getUser } from '../../api/domain/users';
import { requestMessage, requestOutcomeDm, threadMessage } from '../blocks/requests';
import { requestCard } from '../cards';
import type { BotDeps } from '../deps';
import type { Handlers } from './handlers';
import { sendTokensOnce } from './tokens';

export function requestDeliveries(deps: BotDeps, adminChannel: () => string | undefined): Handlers {
  const { out } = deps;
  const db = deps.ctx.db;
  const messageOf = (card: { row: { slackChannel: string | null; slackTs: string | null } }) =>
    card.row.slackChannel && card.row.slackTs ? { channel: card.row.slackChannel, ts: card.row.slackTs } : undefined;

  return {
    async 'request.created'(d) {
      const card = await requestCard(db, String(d.row.payload.requestId));
      const channel = adminChannel();
      if (!card || !channel) return;
      const message = requestMessage(deps.people.channelTexts(), card, deps.ctx.config.publicUrl);
      // A redelivery after a post whose ts was not recorded would post twice; a stored ts means update instead.
      const at = messageOf(card);
      if (at) return out.update(at, message);
      const posted = await out.post(channel, message);
      await setRequestMessage(db, card.id, posted.channel, posted.ts);
    },

    async 'request.updated'(d) {
      const card = await requestCard(db, String(d.row.payload.requestId));
      const at = card && messageOf(card);
      // Nothing to redraw: no admin channel, or the post is a dead letter (a retried post shows the outcome).
      if (!card || !at) return;
      await out.update(at, requestMessage(deps.people.channelTexts(), card, deps.ctx.config.publicUrl));
    },

    async 'request.thread'(d) {
      const p = d.row.payload as { requestId: string; event: ThreadEvent; actorId?: string | null; note?: string | null; code?: string | null };
      const card = await requestCard(db, p.requestId);
      const at = card && messageOf(card);
      if (!card || !at) return;
      const actor = p.actorId ? await getUser(db, p.actorId) : undefined;
      await out.post(
        at.channel,
        threadMessage(deps.people.channelTexts(), card, {
          event: p.event,
          actor: actor ? { name: actor.name, slackUserId: actor.slackUserId } : null,
          note: p.note ?? null,
          code: p.code ?? null,
        }),
        { threadTs: at.ts },
      );
    },

    async 'request.notify'(d) {
      const card = await requestCard(db, String(d.row.payload.requestId));
      if (!card) return;
      const requester = await getUser(db, card.row.userId);
      // No Slack link (or deactivated): the web app shows the outcome and reveals the tokens once.
      if (!requester?.slackUserId || !requester.active) return;
      const at = messageOf(card);
      const permalink = at ? await out.permalink(at) : undefined;
      const links = { permalink, appUrl: deps.ctx.config.publicUrl };
      const t = await deps.people.textsFor(requester);
      if (card.status !== 'approved') {
        for (const m of requestOutcomeDm(t, card, [], links)) await out.dm(requester.slackUserId, m);
        return;
      }
      await sendTokensOnce(deps, d, {
        slackUserId: requester.slackUserId,
        t,
        hold: (tx) => holdSealedTokens(tx, requester.id, { requestId: card.id }),
        compose: (tokens) => requestOutcomeDm(t, card, tokens, links),
        sendWhenNone: true,
      });
    },
  };
}
