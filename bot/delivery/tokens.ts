// Token plaintext over Slack, at most once. The sealed tokens are taken out of their rows (so neither the
// app's one-time reveal nor another delivery can have them) and kept, still sealed, in the outbox row's
// progress before the DM is sent. Delivered: dropped. Refused by Slack (or never reached it): put back,
// and the outbox tries again later. Outcome unknown (the answer was lost, the process died mid-send):
// put back, never sent again by Slack, and the holder is told to reveal them once in the web app.
import type { Delivery } from '../../api/domain/outbox';
import { availableCount } from '../../api/domain/stock';
import { holdSealedTokens, releaseHeldTokens, unsealHeld, type HeldTokens } from '../../api/domain/tokens';
import { getUser } from '../../api/domain/users';
import type { Tx } from '../../db/client';
import { links } from '../blocks/links';
import type { Message } from '../blocks/text';
import type { Texts } from '../i18n';
import { lowStockDm, tokensDm, tokensMaybeLostDm, topUpQuantity } from '../blocks/tokens';
import type { BotDeps } from '../deps';
import { sendOutcome } from '../slack-errors';
import type { Handlers } from './handlers';

type TokenProgress =
  { step: 'sending'; held: HeldTokens; count: number } | { step: 'notice'; count: number } | { step: 'sent'; count: number } | { step: 'retry' };

export interface TokenSend {
  slackUserId: string;
  /** The holder's language. */
  t: Texts;
  hold: (tx: Tx) => Promise<HeldTokens>;
  /** The messages carrying `tokens` (empty when there were none to hold); `soonest` is the first expiry. */
  compose: (tokens: string[], soonest: string | undefined) => Message[];
  /** Send compose([]) when nothing was held (an outcome DM still has news); else send nothing. */
  sendWhenNone: boolean;
}

export async function sendTokensOnce(deps: BotDeps, d: Delivery, s: TokenSend): Promise<void> {
  const notice = (count: number) => deps.out.dm(s.slackUserId, tokensMaybeLostDm(s.t, { count, appUrl: links(deps.ctx.config.publicUrl).myTokens }));
  const p = d.row.progress as TokenProgress | null;
  if (p?.step === 'sent') return;
  if (p?.step === 'sending') {
    // An earlier attempt stopped after the DM may have gone out: these tokens are never sent again.
    deps.log.warn({ outboxId: d.row.id, count: p.count }, 'slack: a token DM may or may not have arrived; the holder is told to reveal them in the app');
    await d.checkpoint({ step: 'notice', count: p.count }, (tx) => releaseHeldTokens(tx, p.held));
    await notice(p.count);
    return;
  }
  if (p?.step === 'notice') {
    await notice(p.count);
    return;
  }

  const held = await d.checkpoint((h: HeldTokens) => ({ step: 'sending', held: h, count: h.tokens.length }), s.hold);
  if (held.tokens.length === 0) {
    if (s.sendWhenNone) for (const m of s.compose([], undefined)) await deps.out.dm(s.slackUserId, m);
    return;
  }
  const messages = s.compose(unsealHeld(deps.ctx, held), held.tokens[0]?.expiresAt);
  let sent = 0;
  try {
    for (const m of messages) {
      await deps.out.dm(s.slackUserId, m);
      sent++;
    }
  } catch (err) {
    if (sent === 0 && sendOutcome(err) === 'not_sent') {
      // Slack refused the DM or never got it: the tokens go back, and the outbox retries (or dead-letters).
      await d.checkpoint({ step: 'retry' }, (tx) => releaseHeldTokens(tx, held));
      throw err;
    }
    deps.log.warn(
      { outboxId: d.row.id, count: held.tokens.length, err: String(err) },
      'slack: a token DM may or may not have arrived; the holder is told to reveal them in the app',
    );
    await d.checkpoint({ step: 'notice', count: held.tokens.length }, (tx) => releaseHeldTokens(tx, held));
    await notice(held.tokens.length);
    return;
  }
  await d.checkpoint({ step: 'sent', count: held.tokens.length });
}

export function tokenDeliveries(deps: BotDeps): Handlers {
  return {
    async 'tokens.deliver'(d) {
      const user = await getUser(deps.ctx.db, String(d.row.payload.userId));
      if (!user?.slackUserId || !user.active) return; // stays sealed for the app's one-time reveal
      const t = await deps.people.textsFor(user);
      await sendTokensOnce(deps, d, {
        slackUserId: user.slackUserId,
        t,
        hold: (tx) => holdSealedTokens(tx, user.id, 'assigned'),
        compose: (tokens, soonest) => tokensDm(t, tokens, { expiresAt: soonest }),
        sendWhenNone: false,
      });
    },

    async 'stock.low'(d) {
      const user = await getUser(deps.ctx.db, String(d.row.payload.userId));
      if (!user?.slackUserId || !user.active) return;
      const threshold = deps.ctx.config.lowTokenThreshold;
      // Queued on a fall; if stock has risen back since (an approval), the alert is stale.
      const available = await availableCount(deps.ctx.db, user.id);
      if (available >= threshold) return;
      await deps.out.dm(
        user.slackUserId,
        lowStockDm(await deps.people.textsFor(user), { available, threshold, topUp: topUpQuantity(available, threshold, deps.ctx.config.maxRequestQuantity) }),
      );
    },
  };
}
