// The outbox's Slack destination: one delivery per kind, Slack's errors read by slack-errors.ts, and
// nothing claimed while Slack refuses the bot (uninstalled, token revoked).
import type { Destination } from '../../api/domain/outbox';
import { slackSettings, type BotDeps } from '../deps';
import { classifySlackError } from '../slack-errors';
import { grantDeliveries } from './grants';
import type { Handlers } from './handlers';
import { traced } from './trace';
import { requestDeliveries } from './requests';
import { tokenDeliveries } from './tokens';

class UnknownKind extends Error {}

export function createSlackDestination(deps: BotDeps): Destination {
  let warnedNoChannel = false;
  const adminChannel = (): string | undefined => {
    const channel = slackSettings(deps).adminChannel;
    if (!channel && !warnedNoChannel) {
      warnedNoChannel = true;
      deps.log.warn('slack: SLACK_ADMIN_CHANNEL is not set; requests and emergency accesses are not posted to Slack');
    }
    return channel;
  };
  const handlers: Handlers = { ...requestDeliveries(deps, adminChannel), ...grantDeliveries(deps, adminChannel), ...tokenDeliveries(deps) };

  return {
    async deliver(d) {
      const handler = handlers[d.row.kind as keyof Handlers];
      if (!handler) throw new UnknownKind(`no Slack delivery for outbox kind ${d.row.kind}`);
      try {
        await traced(d.row, () => handler(d));
        deps.connection.reached();
      } catch (err) {
        deps.connection.failed(err);
        throw err;
      }
    },
    classify: (err) => (err instanceof UnknownKind ? { kind: 'permanent', reason: 'unknown_kind' } : classifySlackError(err)),
    suspended: () => deps.connection.revokedReason(),
  };
}
