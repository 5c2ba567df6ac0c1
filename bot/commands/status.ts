import { activeGrant } from '../../api/domain/grants';
import { listRequests } from '../../api/domain/requests';
import { availableCount } from '../../api/domain/stock';
import { statusMessage } from '../blocks/account';
import type { CommandHandler } from './types';

export const status: CommandHandler<'status'> = async ({ deps, account, reply, t }) => {
  const { ctx } = deps;
  const { user, actor } = account;
  const pending = await listRequests(ctx, actor, { status: 'pending', userId: user.id }, { limit: 10 });
  const grant = await activeGrant(ctx.db, user.id);
  await reply(
    statusMessage(t, {
      available: await availableCount(ctx.db, user.id),
      pending: pending.items.map((r) => ({ ...r, requester: { name: user.name, slackUserId: user.slackUserId }, decider: null, stock: 0 })),
      grant: grant ? { reason: grant.reason, patientRef: grant.patientRef, expiresAt: grant.expiresAt } : null,
      threshold: ctx.config.lowTokenThreshold,
    }),
  );
};
