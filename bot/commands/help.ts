import { isAdmin } from '../../api/domain/context';
import { helpMessage } from '../blocks/account';
import type { CommandHandler } from './types';

export const help: CommandHandler<'help'> = async ({ deps, account, reply }) => {
  await reply(helpMessage({ isAdmin: isAdmin(account.actor), maxRequestQuantity: deps.config.maxRequestQuantity, maxGenerateCount: deps.config.maxGenerateCount }));
};
