import type { App } from '@slack/bolt';
import type { BotDeps } from '../deps';
import { registerDecisionModalViews } from './decision-modals';
import { registerRequestModal } from './request-modal';

export function registerViews(app: App, deps: BotDeps): void {
  registerRequestModal(app, deps);
  registerDecisionModalViews(app, deps);
}
