// The rules about a token's status that SQL and TypeScript share. "Usable" (the stock a person has, what
// validation may consume) and the status a client sees (an available token past its expiry is expired
// before the sweep marks it) are written here once; lists, counts, monitoring and validation use these.
import { sql, type SQL } from 'drizzle-orm';
import { tokens, type Token, type TokenStatus } from '../../../db/schema';
import { val, type Val } from './value';

type Columns = Pick<typeof tokens, 'status' | 'expiresAt'>;

/** Available and not past its expiry: what validation may consume and what counts as stock. */
export const usableToken = (t: Columns = tokens): SQL => sql`(${t.status} = 'available' and ${t.expiresAt} > now())`;

/** Available in the table but past its expiry: expired for everyone, waiting for the sweep. */
export const overdueToken = (t: Columns = tokens): SQL => sql`(${t.status} = 'available' and ${t.expiresAt} <= now())`;

/** Rows whose effective status (below) is `status`. */
export function tokenStatusIs(status: TokenStatus, t: Columns = tokens): SQL {
  if (status === 'available') return usableToken(t);
  if (status === 'expired') return sql`(${t.status} = 'expired' or ${overdueToken(t)})`;
  return sql`${t.status} = ${status}`;
}

/** The status a client sees, as SQL. */
export const effectiveTokenStatusSql = (t: Columns = tokens): SQL<TokenStatus> =>
  sql<TokenStatus>`(case when ${overdueToken(t)} then 'expired' else ${t.status}::text end)`;

/** The status a client sees, in TypeScript (the same rule as effectiveTokenStatusSql). */
export function effectiveTokenStatus(t: Pick<Token, 'status' | 'expiresAt'>, now = new Date()): TokenStatus {
  return t.status === 'available' && t.expiresAt <= now ? 'expired' : t.status;
}

/** How many usable tokens the user holds (their stock); `userId` may be an SQL expression. */
export const stockOf = (userId: Val<string>): SQL<number> =>
  sql<number>`(select count(*)::int from ${tokens} where ${tokens.userId} = ${val(userId, 'uuid')} and ${usableToken()})`;
