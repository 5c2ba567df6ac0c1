import type { App } from '../types';
import { registerExportAudit } from './export';
import { registerListAudit } from './list';

export function registerAudit(app: App) {
  registerListAudit(app);
  registerExportAudit(app);
}
