import type { App } from '../types';
import { registerExportAudit } from './export';
import { registerLastAuditVerification } from './last-verification';
import { registerExportAuditNdjson } from './export-ndjson';
import { registerListAudit } from './list';
import { registerVerifyAudit } from './verify';

export function registerAudit(app: App) {
  registerListAudit(app);
  registerExportAudit(app);
  registerVerifyAudit(app);
  registerLastAuditVerification(app);
  registerExportAuditNdjson(app);
}
