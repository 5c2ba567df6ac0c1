import { isAdmin } from '../../api/domain/context';
import { helpMessage } from '../blocks/account';
import type { CommandHandler } from './types';

export const help: CommandHandler<'help'> = async ({ deps, account, reply, t }) => {
  await reply(
    helpMessage(t, {
      isAdmin: isAdmin(account.actor),
      maxRequestQuantity: deps.ctx.config.maxRequestQuantity,
      maxGenerateCount: deps.ctx.config.maxGenerateCount,
    }),
  );
};
