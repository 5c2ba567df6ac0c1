// The status of a token request that SQL and TypeScript share: a pending request past its expiry is
// expired for everyone before the sweep marks it.
import { sql, type SQL } from 'drizzle-orm';
import { tokenRequests, type RequestStatus, type TokenRequest } from '../../../db/schema';

type Columns = Pick<typeof tokenRequests, 'status' | 'expiresAt'>;

/** Pending and not past its expiry: the requests an admin can still decide. */
export const openRequest = (r: Columns = tokenRequests): SQL => sql`(${r.status} = 'pending' and ${r.expiresAt} > now())`;

/** Pending in the table but past its expiry: expired for everyone, waiting for the sweep. */
export const overdueRequest = (r: Columns = tokenRequests): SQL => sql`(${r.status} = 'pending' and ${r.expiresAt} <= now())`;

/** Rows whose effective status is `status`. */
export function requestStatusIs(status: RequestStatus, r: Columns = tokenRequests): SQL {
  if (status === 'pending') return openRequest(r);
  if (status === 'expired') return sql`(${r.status} = 'expired' or ${overdueRequest(r)})`;
  return sql`${r.status} = ${status}`;
}

/** The status everyone sees, as SQL. */
export const effectiveRequestStatusSql = (r: Columns = tokenRequests): SQL<RequestStatus> =>
  sql<RequestStatus>`(case when ${overdueRequest(r)} then 'expired' else ${r.status}::text end)`;

/** The status everyone sees, in TypeScript (the same rule as effectiveRequestStatusSql). */
export function effectiveRequestStatus(r: Pick<TokenRequest, 'status' | 'expiresAt'>, now = new Date()): RequestStatus {
  return r.status === 'pending' && r.expiresAt <= now ? 'expired' : r.status;
}
