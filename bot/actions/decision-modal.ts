// Reject (a modal for the reason) and Approve with note (a modal for an optional note). The checks that
// can be made up front (admin, still pending, not one's own) are made before the modal opens, so nobody
// types for nothing; the domain checks again on submission. A modal Slack would not open is said so.
import type { App, BlockButtonAction } from '@slack/bolt';
import { isAdmin } from '../../api/domain/context';
import { DomainError } from '../../api/domain/errors';
import { requireDecider } from '../../api/domain/requests';
import { ACTIONS } from '../blocks/ids';
import { approveModal, rejectModal } from '../blocks/modals';
import { requestCard } from '../cards';
import type { BotDeps } from '../deps';
import { explainRefusal } from './approve';
import { clicked } from './common';

export function registerDecisionModals(app: App, deps: BotDeps): void {
  for (const kind of ['reject', 'approve'] as const) {
    app.action<BlockButtonAction>(kind === 'reject' ? ACTIONS.reject : ACTIONS.approveWithNote, async ({ ack, body, action, client, respond }) => {
      await ack();
      const c = await clicked(deps, body, action, client, body.response_url ? respond : undefined);
      if (!c.account) return;
      const { account, t } = c;
      const refuse = async (err: unknown) => c.tell(await explainRefusal(deps, t, c.value, err));
      try {
        if (!isAdmin(account.actor)) {
          // The domain audits the refused try (and tells the request's thread) and throws.
          await requireDecider(deps.ctx, account.actor, c.value, kind === 'reject' ? 'request.rejected' : 'request.approved');
        }
        const card = await requestCard(deps.ctx.db, c.value);
        if (!card) return await refuse(new DomainError('not_found', 'No such request.'));
        if (card.status !== 'pending') return await refuse(new DomainError('already_decided', `This request was already ${card.status}.`));
        if (card.row.userId === account.user.id) return await refuse(new DomainError('self_approval', 'own request'));
        const input = {
          meta: { requestId: card.id, responseUrl: body.response_url, ephemeral: c.ephemeral },
          requesterName: card.requester.name,
          quantity: card.quantity,
        };
        try {
          await client.views.open({ trigger_id: body.trigger_id, view: kind === 'reject' ? rejectModal(t, input) : approveModal(t, input) });
        } catch (err) {
          deps.log.warn({ err: String(err) }, `slack: could not open the ${kind} modal`);
          await c.tell(kind === 'reject' ? t.answers.rejectFormFailed : t.answers.noteFormFailed);
        }
      } catch (err) {
        await refuse(err);
      }
    });
  }
}
