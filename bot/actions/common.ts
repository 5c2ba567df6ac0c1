// Shared by the button listeners: who clicked (as an account) and where to answer them.
import type { BlockAction, ButtonAction, RespondFn, webApi } from '@slack/bolt';
import { notLinkedText } from '../blocks/account';
import type { Account, BotDeps } from '../deps';
import { teller, type Tell } from '../reply';

export interface Clicked {
  account: Account | undefined;
  tell: Tell;
  value: string;
  /** The click came from an ephemeral message (the `pending` list), which can be redrawn in place. */
  ephemeral: boolean;
  fromHome: boolean;
}

export async function clicked(
  deps: BotDeps,
  body: BlockAction,
  action: ButtonAction,
  client: webApi.WebClient,
  respond: RespondFn | undefined,
): Promise<Clicked> {
  const container = (body.container ?? {}) as { type?: string; is_ephemeral?: boolean };
  const tell = teller({ respond, client, slackUserId: body.user.id });
  const resolved = await deps.people.resolve({ id: body.user.id, username: body.user.username, name: body.user.name });
  if (!resolved.ok) await tell(notLinkedText(resolved.reason));
  return {
    account: resolved.ok ? resolved.account : undefined,
    tell,
    value: action.value ?? '',
    ephemeral: container.is_ephemeral === true,
    fromHome: container.type === 'view',
  };
}
