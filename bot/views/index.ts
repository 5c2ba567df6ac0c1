import type { App } from '@slack/bolt';
import type { BotDeps } from '../deps';
import { registerRejectModal } from './reject-modal';
import { registerRequestModal } from './request-modal';

export function registerViews(app: App, deps: BotDeps): void {
  registerRequestModal(app, deps);
  registerRejectModal(app, deps);
}
