import type { App } from '../types';
import { registerClearEmergencySession } from './clear-session';
import { registerCreateRecord } from './create-record';
import { registerGetRecord } from './get-record';
import { registerGetEmergencySession } from './get-session';
import { registerListRecords } from './list-records';

export function registerEmergency(app: App) {
  registerGetEmergencySession(app);
  registerClearEmergencySession(app);
  registerCreateRecord(app);
  registerListRecords(app);
  registerGetRecord(app);
}
