// `pending` (admins): the pending requests, each with its decision buttons.
import { listRequests } from '../../api/domain/requests';
import { pendingList } from '../blocks/requests';
import { requestCard } from '../cards';
import type { Account, BotDeps } from '../deps';
import type { Texts } from '../i18n';
import type { CommandHandler } from './types';

const SHOWN = 20;

export async function pendingMessage(deps: BotDeps, account: Account, t: Texts) {
  const page = await listRequests(deps.ctx, account.actor, { status: 'pending' }, { limit: SHOWN });
  const cards = (await Promise.all(page.items.map((r) => requestCard(deps.ctx.db, r.id)))).filter((c) => c !== undefined);
  return pendingList(t, cards, page.nextCursor !== null, SHOWN);
}

export const pending: CommandHandler<'pending'> = async ({ deps, account, reply, t }) => {
  await reply(await pendingMessage(deps, account, t));
};
