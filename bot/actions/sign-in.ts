// App Home's "Sign in to the app": the same one-time link as `/emergency-token login`, by DM; when the DM
// cannot be sent, the Home tab itself says so.
import type { App, BlockButtonAction } from '@slack/bolt';
import { createSignInCode } from '../../api/domain/auth';
import { loginDm } from '../blocks/account';
import { ACTIONS } from '../blocks/ids';
import type { BotDeps } from '../deps';
import { dm } from '../reply';
import { clicked } from './common';

export function registerSignIn(app: App, deps: BotDeps): void {
  app.action<BlockButtonAction>(ACTIONS.signIn, async ({ ack, body, action, client }) => {
    await ack();
    const c = await clicked(deps, body, action, client, undefined);
    if (!c.account) return;
    const user = c.account.user;
    try {
      const { url, expiresAt } = await createSignInCode(deps.ctx, user.id);
      await dm(client, body.user.id, loginDm(c.t, { url, expiresAt }));
    } catch (err) {
      deps.log.warn({ err: String(err) }, 'slack: could not send a sign-in link from App Home');
      await deps.home
        .publish(user, c.t.answers.signInFailed)
        .catch((e: unknown) => deps.log.warn({ err: String(e) }, 'slack: could not show the failure in App Home either'));
    }
  });
  // URL buttons open the link in the browser; Slack still reports the click, which only needs an ack.
  app.action(ACTIONS.openLink, async ({ ack }) => {
    await ack();
  });
}
