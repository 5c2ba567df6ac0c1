// `request` alone opens the modal; `request <quantity> [reason]` creates the request straight away.
import { createRequest } from '../../api/domain/requests';
import { requestModal } from '../blocks/modals';
import { explain } from '../errors';
import type { CommandHandler } from './types';

export const request: CommandHandler<'request'> = async ({ deps, command, slash, account, client, reply, t }) => {
  if (command.quantity === undefined) {
    try {
      await client.views.open({
        trigger_id: slash.trigger_id,
        view: requestModal(t, { maxQuantity: deps.ctx.config.maxRequestQuantity, meta: { responseUrl: slash.response_url } }),
      });
    } catch (err) {
      deps.log.warn({ err: String(err) }, 'slack: could not open the request modal');
      await reply(t.answers.formFailed);
    }
    return;
  }
  try {
    await createRequest(deps.ctx, account.actor, { quantity: command.quantity, reason: command.reason });
    await reply(t.request.sent(t.n.tokens(command.quantity)));
  } catch (err) {
    await reply(explain(t, err, deps.log, 'request'));
  }
};
