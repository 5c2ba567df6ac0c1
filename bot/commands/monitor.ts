import { monitoringSummary } from '../../api/domain/monitoring';
import { monitorMessage } from '../blocks/account';
import type { CommandHandler } from './types';

export const monitor: CommandHandler<'monitor'> = async ({ deps, account, reply }) => {
  const m = await monitoringSummary(deps.ctx, account.actor, { lowStockLimit: 25 });
  await reply(monitorMessage({ ...m, lowStockUsers: m.lowStockUsers.map((u) => ({ name: u.name, slackUserId: u.slackUserId, available: u.available })) }));
};
