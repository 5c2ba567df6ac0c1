// Shared by the button listeners: who clicked (as an account, never provisioned by a click), in which
// language, and where to answer them (ephemeral, else a DM, else a notice on their App Home).
import type { BlockAction, ButtonAction, RespondFn, webApi } from '@slack/bolt';
import { notLinkedText } from '../blocks/account';
import type { Account, BotDeps } from '../deps';
import type { Texts } from '../i18n';
import { teller, type Tell } from '../reply';

export interface Clicked {
  account: Account | undefined;
  t: Texts;
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
  const fromHome = container.type === 'view';
  const resolved = await deps.people.resolve({ id: body.user.id, username: body.user.username, name: body.user.name, teamId: body.user.team_id });
  const tell = teller({
    respond,
    client,
    slackUserId: body.user.id,
    log: deps.log,
    home: resolved.ok ? (notice) => deps.home.publish(resolved.account.user, notice) : undefined,
  });
  if (!resolved.ok) await tell(notLinkedText(resolved.t, resolved.reason));
  return {
    account: resolved.ok ? resolved.account : undefined,
    t: resolved.t,
    tell,
    value: action.value ?? '',
    ephemeral: container.is_ephemeral === true,
    fromHome,
  };
}
