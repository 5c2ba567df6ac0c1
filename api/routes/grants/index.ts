import type { App } from '../types';
import { registerListGrants } from './list';
import { registerReviewGrant } from './review';

export function registerGrants(app: App) {
  registerListGrants(app);
  registerReviewGrant(app);
}
