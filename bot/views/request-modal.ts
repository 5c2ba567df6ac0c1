// The request modal's submission: bad input is shown on the field (response_action: errors) and creates
// nothing; good input closes the modal, creates the request and confirms ephemerally (or by DM).
import type { App, ViewSubmitAction } from '@slack/bolt';
import { createRequest } from '../../api/domain/requests';
import { notLinkedText } from '../blocks/account';
import { INPUTS, VIEWS } from '../blocks/ids';
import { readMeta } from '../blocks/modals';
import { plural } from '../blocks/text';
import { REASON_MAX, parseCount } from '../commands/parse';
import type { BotDeps } from '../deps';
import { explain } from '../errors';
import { dm, respondTo } from '../reply';

type Values = ViewSubmitAction['view']['state']['values'];
export const inputValue = (values: Values, input: { block: string; action: string }): string =>
  String(values[input.block]?.[input.action]?.value ?? '').trim();

export function registerRequestModal(app: App, deps: BotDeps): void {
  app.view<ViewSubmitAction>(VIEWS.request, async ({ ack, body, view, client }) => {
    const values = view.state.values;
    const quantity = parseCount(inputValue(values, INPUTS.quantity) || undefined, 'quantity', 1, deps.config.maxRequestQuantity);
    const reason = inputValue(values, INPUTS.reason);
    const errors: Record<string, string> = {};
    if (typeof quantity === 'string') errors[INPUTS.quantity.block] = quantity.replace(/`/g, '');
    if (reason.length > REASON_MAX) errors[INPUTS.reason.block] = `Keep the reason to ${REASON_MAX} characters (it is ${reason.length}).`;
    if (Object.keys(errors).length || typeof quantity === 'string') {
      await ack({ response_action: 'errors', errors });
      return;
    }
    await ack();

    const meta = readMeta(view.private_metadata);
    const tell = async (text: string) => {
      const sent = await respondTo(typeof meta.responseUrl === 'string' ? meta.responseUrl : undefined, { response_type: 'ephemeral', replace_original: false, text });
      if (!sent) await dm(client, body.user.id, { text });
    };
    const resolved = await deps.people.resolve({ id: body.user.id, username: body.user.name });
    if (!resolved.ok) return tell(notLinkedText(resolved.reason));
    try {
      await createRequest(deps.ctx, resolved.account.actor, { quantity, reason: reason || undefined });
      await tell(`:inbox_tray: Your request for ${plural(quantity, 'token')} is with the admins. You will get a DM when it is decided.`);
    } catch (err) {
      await tell(explain(err, deps.log, 'request'));
    }
  });
}
