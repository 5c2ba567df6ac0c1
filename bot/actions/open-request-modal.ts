// "Request tokens" (App Home) and "Request N more" (low-stock DM): the request modal, prefilled when the
// button carries a top-up quantity.
import type { App, BlockButtonAction } from '@slack/bolt';
import { ACTIONS } from '../blocks/ids';
import { requestModal } from '../blocks/modals';
import type { BotDeps } from '../deps';

export function registerOpenRequestModal(app: App, deps: BotDeps): void {
  app.action<BlockButtonAction>(ACTIONS.openRequestModal, async ({ ack, body, action, client }) => {
    await ack();
    const n = Number(action.value);
    const quantity = Number.isInteger(n) && n > 0 ? n : undefined;
    await client.views.open({
      trigger_id: body.trigger_id,
      view: requestModal({ maxQuantity: deps.config.maxRequestQuantity, quantity, meta: {} }),
    });
  });
}
