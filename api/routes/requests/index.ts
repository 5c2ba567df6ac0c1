import type { App } from '../types';
import { registerCreateRequest } from './create';
import { registerDecideRequest } from './decide';
import { registerListRequests } from './list';

export function registerRequests(app: App) {
  registerCreateRequest(app);
  registerListRequests(app);
  registerDecideRequest(app);
}
