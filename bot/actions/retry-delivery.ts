// App Home (admins): Retry on a Slack message that could not be delivered: the same as the web app's
// POST /dead-letters/{id}/retry (admin only, audited). The admin's Home is redrawn without it.
import type { App, BlockButtonAction } from '@slack/bolt';
import { retryDeadLetter } from '../../api/domain/outbox';
import { ACTIONS } from '../blocks/ids';
import type { BotDeps } from '../deps';
import { explain } from '../errors';
import { clicked } from './common';

export function registerRetryDelivery(app: App, deps: BotDeps): void {
  app.action<BlockButtonAction>(ACTIONS.retryDelivery, async ({ ack, body, action, client }) => {
    await ack();
    const c = await clicked(deps, body, action, client, undefined);
    if (!c.account) return;
    const user = c.account.user;
    let notice: string;
    try {
      await retryDeadLetter(deps.ctx, c.account.actor, Number(c.value));
      notice = c.t.home.retried;
    } catch (err) {
      notice = explain(c.t, err, deps.log, 'a retry');
    }
    await deps.home.publish(user, notice).catch(async () => c.tell(notice));
  });
}
