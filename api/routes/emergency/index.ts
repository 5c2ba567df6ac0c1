import type { App } from '../types';
import { registerEmergencyRecords } from './records';
import { registerEmergencySession } from './session';

export function registerEmergency(app: App) {
  registerEmergencySession(app);
  registerEmergencyRecords(app);
}
