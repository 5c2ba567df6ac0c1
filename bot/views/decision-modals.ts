// Submissions of the reject modal (a reason of 3 to 500 characters, checked on the field) and the approve
// modal (an optional note): the domain decides, the outbox redraws the channel message, writes the thread
// and DMs the requester; any refusal (decided meanwhile, not an admin) is told to the admin where they
// clicked, or by DM.
import type { App, ViewSubmitAction } from '@slack/bolt';
import { approveRequest, rejectRequest } from '../../api/domain/requests';
import { notLinkedText } from '../blocks/account';
import { INPUTS, VIEWS } from '../blocks/ids';
import { readMeta } from '../blocks/modals';
import { explainRefusal } from '../actions/approve';
import { pendingMessage } from '../commands/pending';
import type { BotDeps } from '../deps';
import { texts } from '../i18n';
import { respondTo } from '../reply';
import { inputValue, modalTeller } from './request-modal';
import { ApproveInput, RejectInput } from '../../api/domain/input';

export function registerDecisionModalViews(app: App, deps: BotDeps): void {
  for (const kind of ['reject', 'approve'] as const) {
    app.view<ViewSubmitAction>(kind === 'reject' ? VIEWS.reject : VIEWS.approve, async ({ ack, body, view }) => {
      const meta = readMeta(view.private_metadata);
      const t = texts(meta.locale === 'id' ? 'id' : 'en');
      const text = inputValue(view.state.values, kind === 'reject' ? INPUTS.rejectReason : INPUTS.approveNote);
      if (kind === 'reject' && !RejectInput.shape.reason.safeParse(text).success) {
        await ack({ response_action: 'errors', errors: { [INPUTS.rejectReason.block]: t.modal.rejectReasonError } });
        return;
      }
      if (kind === 'approve' && !ApproveInput.shape.note.safeParse(text).success) {
        await ack({ response_action: 'errors', errors: { [INPUTS.approveNote.block]: t.modal.noteTooLong } });
        return;
      }
      await ack();

      const requestId = typeof meta.requestId === 'string' ? meta.requestId : '';
      const responseUrl = typeof meta.responseUrl === 'string' ? meta.responseUrl : undefined;
      const tell = modalTeller(deps, responseUrl, body.user.id);
      const resolved = await deps.people.resolve({ id: body.user.id, username: body.user.name });
      if (!resolved.ok) return tell(notLinkedText(resolved.t, resolved.reason));
      const account = resolved.account;
      try {
        if (kind === 'reject') await rejectRequest(deps.ctx, account.actor, requestId, { reason: text });
        else await approveRequest(deps.ctx, account.actor, requestId, { note: text || null });
        if (meta.ephemeral === true)
          await respondTo(responseUrl, { response_type: 'ephemeral', replace_original: true, ...(await pendingMessage(deps, account, resolved.t)) });
      } catch (err) {
        await tell(await explainRefusal(deps, resolved.t, requestId, err));
      }
    });
  }
}
