import type { App } from '../types';
import { registerActivitySeries } from './activity';
import { registerMonitoringSummary } from './get';
import { registerStockHistory } from './stock-history';
import { registerTopUsers } from './top-users';

export function registerMonitoring(app: App) {
  registerMonitoringSummary(app);
  registerActivitySeries(app);
  registerTopUsers(app);
  registerStockHistory(app);
}
