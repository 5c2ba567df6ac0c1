// Mark justified / Flag for follow-up on a break-the-glass notice (or in App Home): the same review as the
// PWA's POST /grants/:id/review. The notice is redrawn with the verdict through the outbox.
import type { AllMiddlewareArgs, App, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { reviewGrant } from '../../api/domain/grants';
import type { Verdict } from '../../db/schema';
import { ACTIONS } from '../blocks/ids';
import type { BotDeps } from '../deps';
import { explain, isDomainError } from '../errors';
import { clicked } from './common';

export function registerReviewGrant(app: App, deps: BotDeps): void {
  const listener = (verdict: Verdict) =>
    async function review({ ack, body, action, client, respond }: SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs) {
      await ack();
      const c = await clicked(deps, body, action, client, body.response_url ? respond : undefined);
      if (!c.account) return;
      const { t } = c;
      try {
        await reviewGrant(deps.ctx, c.account.actor, c.value, { verdict });
        if (c.fromHome) await c.tell(verdict === 'justified' ? t.grant.markedJustified : t.grant.markedFlagged);
      } catch (err) {
        if (isDomainError(err, 'forbidden')) await c.tell(t.errors.onlyAdminsReview);
        else if (isDomainError(err, 'self_review')) await c.tell(t.errors.ownAccess);
        else await c.tell(explain(t, err, deps.log, 'a review'));
      }
    };
  app.action<BlockButtonAction>(ACTIONS.grantJustified, listener('justified'));
  app.action<BlockButtonAction>(ACTIONS.grantFlagged, listener('flagged'));
}
