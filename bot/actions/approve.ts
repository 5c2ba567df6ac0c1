// Approve from any button (channel message, `pending` list, App Home). The domain decides atomically; the
// channel message and the requester's DM follow through the outbox. Refusals are explained to the clicker.
import type { App, BlockButtonAction } from '@slack/bolt';
import { approveRequest } from '../../api/domain/requests';
import { ACTIONS } from '../blocks/ids';
import { outcomeLine } from '../blocks/requests';
import { plural } from '../blocks/text';
import { requestCard } from '../cards';
import { pendingMessage } from '../commands/pending';
import type { BotDeps } from '../deps';
import { explain, isDomainError } from '../errors';
import { clicked } from './common';

/** Why a decision on `requestId` was refused, in the clicker's terms (the domain audits a non-admin's try). */
export async function explainRefusal(deps: BotDeps, requestId: string, err: unknown): Promise<string> {
  if (isDomainError(err, 'forbidden')) return ':no_entry: Only admins can approve or reject requests. Nothing was changed.';
  if (isDomainError(err, 'already_decided')) {
    const card = await requestCard(deps.ctx.db, requestId);
    const line = card && outcomeLine(card);
    return line ? `This request is already decided. ${line}` : `:no_entry: ${(err as Error).message}`;
  }
  if (isDomainError(err, 'self_approval')) return ':no_entry: You cannot decide your own request; another admin must.';
  return explain(err, deps.log, 'a decision');
}

export function registerApprove(app: App, deps: BotDeps): void {
  app.action<BlockButtonAction>(ACTIONS.approve, async ({ ack, body, action, client, respond }) => {
    await ack();
    const c = await clicked(deps, body, action, client, body.response_url ? respond : undefined);
    if (!c.account) return;
    const account = c.account;
    try {
      // The role check is the domain's (requireAdmin): roles come from the account, never from Slack.
      const { issued } = await approveRequest(deps.ctx, account.actor, c.value);
      // The `pending` list is an ephemeral message: redraw it without the decided request. A channel
      // message is redrawn for everyone by the outbox, and App Home by the event that follows.
      if (c.ephemeral && body.response_url) await respond({ response_type: 'ephemeral', replace_original: true, ...(await pendingMessage(deps, account)) });
      else if (c.fromHome) await c.tell(`:white_check_mark: Approved: ${plural(issued, 'token')} issued.`);
    } catch (err) {
      await c.tell(await explainRefusal(deps, c.value, err));
    }
  });
}
