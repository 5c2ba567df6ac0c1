import { monitoringSummary } from '../../api/domain/monitoring';
import { monitorMessage } from '../blocks/account';
import type { CommandHandler } from './types';

export const monitor: CommandHandler<'monitor'> = async ({ deps, account, reply, t }) => {
  const m = await monitoringSummary(deps.ctx, account.actor, { lowStockLimit: 25 });
  await reply(monitorMessage(t, { ...m, lowStockUsers: m.lowStockUsers.map((u) => ({ name: u.name, slackUserId: u.slackUserId, available: u.available })) }));
};
