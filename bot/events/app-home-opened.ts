// Opening the Home tab publishes it fresh. Nobody is provisioned here: a Slack user without an account is
// told how to get one (or why they cannot).
import type { App } from '@slack/bolt';
import { notLinkedText } from '../blocks/account';
import { notLinkedHome } from '../blocks/home';
import type { BotDeps } from '../deps';

export function registerAppHomeOpened(app: App, deps: BotDeps): void {
  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab !== 'home') return;
    const resolved = await deps.people.resolve({ id: event.user });
    if (!resolved.ok) {
      await client.views.publish({ user_id: event.user, view: notLinkedHome(notLinkedText(resolved.t, resolved.reason)) });
      return;
    }
    await deps.home.publish(resolved.account.user);
  });
}
