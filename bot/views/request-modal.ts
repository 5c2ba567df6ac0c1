// The request modal's submission: bad input is shown on the field (response_action: errors) and creates
// nothing; good input closes the modal, creates the request and confirms ephemerally (or by DM).
import type { App, ViewSubmitAction } from '@slack/bolt';
import { createRequest } from '../../api/domain/requests';
import { notLinkedText } from '../blocks/account';
import { INPUTS, VIEWS } from '../blocks/ids';
import { readMeta } from '../blocks/modals';
import { REASON_MAX, parseCount } from '../commands/parse';
import type { BotDeps } from '../deps';
import { explain } from '../errors';
import { texts } from '../i18n';
import { dm, respondTo } from '../reply';

type Values = ViewSubmitAction['view']['state']['values'];
export const inputValue = (values: Values, input: { block: string; action: string }): string => String(values[input.block]?.[input.action]?.value ?? '').trim();

/** Answers a modal's submitter: through the command's response_url when there is one, else by DM. */
export function modalTeller(deps: BotDeps, responseUrl: string | undefined, slackUserId: string) {
  return async (text: string) => {
    if (await respondTo(responseUrl, { response_type: 'ephemeral', replace_original: false, text })) return;
    await dm(deps.client, slackUserId, { text }).catch((err: unknown) => deps.log.warn({ err: String(err) }, 'slack: could not answer a modal submission'));
  };
}

export function registerRequestModal(app: App, deps: BotDeps): void {
  app.view<ViewSubmitAction>(VIEWS.request, async ({ ack, body, view }) => {
    // Field errors are in the modal's language, carried in its metadata: the ack reads nothing else.
    const meta = readMeta(view.private_metadata);
    const t = texts(meta.locale === 'id' ? 'id' : 'en');
    const values = view.state.values;
    const quantity = parseCount(inputValue(values, INPUTS.quantity) || undefined, t.parse.quantity, 1, deps.ctx.config.maxRequestQuantity, t);
    const reason = inputValue(values, INPUTS.reason);
    const errors: Record<string, string> = {};
    if (typeof quantity === 'string') errors[INPUTS.quantity.block] = quantity.replace(/`/g, '');
    if (reason.length > REASON_MAX) errors[INPUTS.reason.block] = t.modal.reasonTooLong(REASON_MAX, reason.length);
    if (Object.keys(errors).length || typeof quantity === 'string') {
      await ack({ response_action: 'errors', errors });
      return;
    }
    await ack();

    const tell = modalTeller(deps, typeof meta.responseUrl === 'string' ? meta.responseUrl : undefined, body.user.id);
    const resolved = await deps.people.resolve({ id: body.user.id, username: body.user.name });
    if (!resolved.ok) return tell(notLinkedText(resolved.t, resolved.reason));
    try {
      await createRequest(deps.ctx, resolved.account.actor, { quantity, reason: reason || undefined });
      await tell(resolved.t.request.sent(resolved.t.n.tokens(quantity)));
    } catch (err) {
      await tell(explain(resolved.t, err, deps.log, 'request'));
    }
  });
}
