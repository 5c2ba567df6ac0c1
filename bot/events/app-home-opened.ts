// Opening the Home tab publishes it fresh (and provisions a new Slack user when that is on).
import type { App } from '@slack/bolt';
import { notLinkedText } from '../blocks/account';
import { section } from '../blocks/text';
import type { BotDeps } from '../deps';

export function registerAppHomeOpened(app: App, deps: BotDeps): void {
  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab !== 'home') return;
    const resolved = await deps.people.resolve({ id: event.user });
    if (!resolved.ok) {
      await client.views.publish({ user_id: event.user, view: { type: 'home', blocks: [section(notLinkedText(resolved.reason))] } });
      return;
    }
    await deps.home.publish(resolved.account.user);
  });
}
