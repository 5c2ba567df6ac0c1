import type { App } from '@slack/bolt';
import type { BotDeps } from '../deps';
import { registerApprove } from './approve';
import { registerDecisionModals } from './decision-modal';
import { registerOpenRequestModal } from './open-request-modal';
import { registerRetryDelivery } from './retry-delivery';
import { registerReviewGrant } from './review-grant';
import { registerSignIn } from './sign-in';

export function registerActions(app: App, deps: BotDeps): void {
  registerApprove(app, deps);
  registerDecisionModals(app, deps);
  registerReviewGrant(app, deps);
  registerOpenRequestModal(app, deps);
  registerSignIn(app, deps);
  registerRetryDelivery(app, deps);
}
