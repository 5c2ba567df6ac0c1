// "Request tokens" (App Home) and "Request N more" (low-stock DM): the request modal, prefilled when the
// button carries a top-up quantity. A modal Slack would not open is said so.
import type { App, BlockButtonAction } from '@slack/bolt';
import { ACTIONS } from '../blocks/ids';
import { requestModal } from '../blocks/modals';
import type { BotDeps } from '../deps';
import { clicked } from './common';

export function registerOpenRequestModal(app: App, deps: BotDeps): void {
  app.action<BlockButtonAction>(ACTIONS.openRequestModal, async ({ ack, body, action, client }) => {
    await ack();
    const c = await clicked(deps, body, action, client, undefined);
    if (!c.account) return;
    const n = Number(action.value);
    const quantity = Number.isInteger(n) && n > 0 ? n : undefined;
    try {
      await client.views.open({
        trigger_id: body.trigger_id,
        view: requestModal(c.t, { maxQuantity: deps.ctx.config.maxRequestQuantity, quantity, meta: {} }),
      });
    } catch (err) {
      deps.log.warn({ err: String(err) }, 'slack: could not open the request modal');
      await c.tell(c.t.answers.formFailed);
    }
  });
}
