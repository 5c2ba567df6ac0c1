import type { App } from '@slack/bolt';
import type { BotDeps } from '../deps';
import { registerApprove } from './approve';
import { registerOpenRequestModal } from './open-request-modal';
import { registerReject } from './reject';
import { registerReviewGrant } from './review-grant';
import { registerSignIn } from './sign-in';

export function registerActions(app: App, deps: BotDeps): void {
  registerApprove(app, deps);
  registerReject(app, deps);
  registerReviewGrant(app, deps);
  registerOpenRequestModal(app, deps);
  registerSignIn(app, deps);
}
