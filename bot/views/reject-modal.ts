// The reject modal's submission: the reason is checked on the field (3 to 500 characters); then the
// domain decides, the outbox redraws the channel message and DMs the requester, and any refusal
// (already decided meanwhile, not an admin) is told to the admin where they clicked.
import type { App, ViewSubmitAction } from '@slack/bolt';
import { rejectRequest } from '../../api/domain/requests';
import { notLinkedText } from '../blocks/account';
import { INPUTS, VIEWS } from '../blocks/ids';
import { readMeta } from '../blocks/modals';
import { explainRefusal } from '../actions/approve';
import { pendingMessage } from '../commands/pending';
import type { BotDeps } from '../deps';
import { dm, respondTo } from '../reply';
import { inputValue } from './request-modal';

export function registerRejectModal(app: App, deps: BotDeps): void {
  app.view<ViewSubmitAction>(VIEWS.reject, async ({ ack, body, view, client }) => {
    const reason = inputValue(view.state.values, INPUTS.rejectReason);
    if (reason.length < 3 || reason.length > 500) {
      await ack({ response_action: 'errors', errors: { [INPUTS.rejectReason.block]: 'Give a reason of 3 to 500 characters; the requester sees it.' } });
      return;
    }
    await ack();

    const meta = readMeta(view.private_metadata);
    const requestId = typeof meta.requestId === 'string' ? meta.requestId : '';
    const responseUrl = typeof meta.responseUrl === 'string' ? meta.responseUrl : undefined;
    const tell = async (text: string) => {
      if (!(await respondTo(responseUrl, { response_type: 'ephemeral', replace_original: false, text }))) await dm(client, body.user.id, { text });
    };
    const resolved = await deps.people.resolve({ id: body.user.id, username: body.user.name });
    if (!resolved.ok) return tell(notLinkedText(resolved.reason));
    const account = resolved.account;
    try {
      await rejectRequest(deps.ctx, account.actor, requestId, { reason });
      if (meta.ephemeral === true) await respondTo(responseUrl, { response_type: 'ephemeral', replace_original: true, ...(await pendingMessage(deps, account)) });
    } catch (err) {
      await tell(await explainRefusal(deps, requestId, err));
    }
  });
}
