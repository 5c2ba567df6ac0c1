import type { App } from '../types';
import { registerApproveRequest } from './approve';
import { registerCreateRequest } from './create';
import { registerListRequests } from './list';
import { registerRejectRequest } from './reject';

export function registerRequests(app: App) {
  registerCreateRequest(app);
  registerListRequests(app);
  registerApproveRequest(app);
  registerRejectRequest(app);
}
