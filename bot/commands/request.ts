// `request` alone opens the modal; `request <quantity> [reason]` creates the request straight away.
import { createRequest } from '../../api/domain/requests';
import { requestModal } from '../blocks/modals';
import { plural } from '../blocks/text';
import { explain } from '../errors';
import type { CommandHandler } from './types';

export const request: CommandHandler<'request'> = async ({ deps, command, slash, account, client, reply }) => {
  if (command.quantity === undefined) {
    await client.views.open({
      trigger_id: slash.trigger_id,
      view: requestModal({ maxQuantity: deps.config.maxRequestQuantity, meta: { responseUrl: slash.response_url } }),
    });
    return;
  }
  try {
    await createRequest(deps.ctx, account.actor, { quantity: command.quantity, reason: command.reason });
    await reply(`:inbox_tray: Your request for ${plural(command.quantity, 'token')} is with the admins. You will get a DM when it is decided.`);
  } catch (err) {
    await reply(explain(err, deps.log, 'request'));
  }
};
