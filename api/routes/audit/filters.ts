import { z } from '@hono/zod-openapi';
import { Id, auditActions, outcomes, queryDate, tokenStatuses } from '../schemas';

// The filters shared by the audit list and its CSV export, so the export is exactly the filtered set.
export const AuditFilterQuery = {
  from: queryDate.optional(),
  to: queryDate.optional(),
  action: z.enum(auditActions).optional(),
  outcome: z.enum(outcomes).optional(),
  tokenStatus: z.enum(tokenStatuses).optional(),
  userId: Id.optional(),
};
