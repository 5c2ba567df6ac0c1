// Approve from any button (channel message, `pending` list, App Home). The domain decides atomically; the
// channel message, its thread and the requester's DM follow through the outbox. Refusals are explained
// to the clicker.
import type { App, BlockButtonAction } from '@slack/bolt';
import { approveRequest } from '../../api/domain/requests';
import { ACTIONS } from '../blocks/ids';
import { outcomeLine } from '../blocks/requests';
import { requestCard } from '../cards';
import { pendingMessage } from '../commands/pending';
import type { BotDeps } from '../deps';
import { explain, isDomainError } from '../errors';
import type { Texts } from '../i18n';
import { clicked } from './common';

/** Why a decision on `requestId` was refused, in the clicker's terms (the domain audits the try). */
export async function explainRefusal(deps: BotDeps, t: Texts, requestId: string, err: unknown): Promise<string> {
  if (isDomainError(err, 'forbidden')) return t.errors.onlyAdminsDecide;
  if (isDomainError(err, 'already_decided')) {
    const card = await requestCard(deps.ctx.db, requestId);
    const line = card && outcomeLine(t, card);
    return line ? t.errors.alreadyDecided(line) : explain(t, err, deps.log, 'a decision');
  }
  if (isDomainError(err, 'self_approval')) return t.errors.ownRequest;
  return explain(t, err, deps.log, 'a decision');
}

export function registerApprove(app: App, deps: BotDeps): void {
  app.action<BlockButtonAction>(ACTIONS.approve, async ({ ack, body, action, client, respond }) => {
    await ack();
    const c = await clicked(deps, body, action, client, body.response_url ? respond : undefined);
    if (!c.account) return;
    const account = c.account;
    try {
      // The role check is the domain's (requireDecider): roles come from the account, never from Slack.
      const { issued } = await approveRequest(deps.ctx, account.actor, c.value);
      // The `pending` list is an ephemeral message: redraw it without the decided request. A channel
      // message is redrawn for everyone by the outbox, and App Home by the event that follows.
      if (c.ephemeral && body.response_url)
        await respond({ response_type: 'ephemeral', replace_original: true, ...(await pendingMessage(deps, account, c.t)) });
      else if (c.fromHome) await c.tell(c.t.request.approvedFromHome(c.t.n.tokens(issued)));
    } catch (err) {
      await c.tell(await explainRefusal(deps, c.t, c.value, err));
    }
  });
}
