// What the workspace tells the bot about itself and its people:
// - app_uninstalled / tokens_revoked: Slack no longer accepts the bot; delivery stops (rows wait, not
//   spent) and the log, /readyz and the admins' dead-letter view say so, until Slack accepts it again.
// - user_change: a Slack user deactivated (deleted) in the workspace loses the account the bot created
//   for them; an admin-created account linked to them is left to the admins (logged).
import type { App } from '@slack/bolt';
import { followSlackDeactivation } from '../../api/domain/users';
import type { BotDeps } from '../deps';

export function registerWorkspaceEvents(app: App, deps: BotDeps): void {
  app.event('app_uninstalled', async () => {
    deps.connection.revoked('app_uninstalled');
  });

  app.event('tokens_revoked', async ({ event }) => {
    const revoked = (event as { tokens?: { bot?: string[] } }).tokens;
    if (revoked?.bot?.length) deps.connection.revoked('tokens_revoked');
  });

  app.event('user_change', async ({ event }) => {
    const user = (event as { user?: { id?: string; deleted?: boolean } }).user;
    if (!user?.id) return;
    deps.people.forget(user.id);
    if (user.deleted !== true) return;
    const { deactivated, linked } = await followSlackDeactivation(deps.ctx, user.id);
    if (deactivated)
      deps.log.info({ userId: deactivated.id, slackUserId: user.id }, 'slack: deactivated the account of a Slack user deactivated in the workspace');
    else if (linked?.active)
      deps.log.warn(
        { userId: linked.id, slackUserId: user.id },
        'slack: a Slack user linked to an admin-created account was deactivated in the workspace; the account is left to the admins',
      );
  });
}
