// Reject opens a modal for the reason; the checks that can be made up front (admin, still pending, not
// one's own) are made before it opens, so nobody types a reason for nothing. The domain checks again.
import type { App, BlockButtonAction } from '@slack/bolt';
import { isAdmin } from '../../api/domain/context';
import { DomainError } from '../../api/domain/errors';
import { ACTIONS } from '../blocks/ids';
import { rejectModal } from '../blocks/modals';
import { requestCard } from '../cards';
import type { BotDeps } from '../deps';
import { explainRefusal } from './approve';
import { requireDecider } from '../../api/domain/requests';
import { clicked } from './common';

export function registerReject(app: App, deps: BotDeps): void {
  app.action<BlockButtonAction>(ACTIONS.reject, async ({ ack, body, action, client, respond }) => {
    await ack();
    const c = await clicked(deps, body, action, client, body.response_url ? respond : undefined);
    if (!c.account) return;
    const account = c.account;
    const refuse = async (err: DomainError) => c.tell(await explainRefusal(deps, c.value, err));
    const card = await requestCard(deps.ctx.db, c.value);
    if (!isAdmin(account.actor)) {
      // The domain audits the refused try and throws; nobody gets a modal for a decision they cannot make.
      try {
        await requireDecider(deps.ctx, account.actor, c.value, 'request.rejected');
      } catch (err) {
        if (err instanceof DomainError) return refuse(err);
        throw err;
      }
    }
    if (!card) return refuse(new DomainError('not_found', 'No such request.'));
    if (card.status !== 'pending') return refuse(new DomainError('already_decided', `This request was already ${card.status}.`));
    if (card.row.userId === account.user.id) return refuse(new DomainError('self_approval', 'own request'));
    await client.views.open({
      trigger_id: body.trigger_id,
      view: rejectModal({
        meta: { requestId: card.id, responseUrl: body.response_url, ephemeral: c.ephemeral },
        requesterName: card.requester.name,
        quantity: card.quantity,
      }),
    });
  });
}
