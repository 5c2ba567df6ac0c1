// An emergency access session is active while it is neither cleared nor past its expiry. Written once
// for "my active grant", clearing it, the validation hot path (which ends the previous one) and the
// double tap.
import { and, eq, sql, type SQL } from 'drizzle-orm';
import { grants } from '../../../db/schema';
import { isSql } from './value';

type Columns = Pick<typeof grants, 'userId' | 'clearedAt' | 'expiresAt'>;

/** The holder's active grant(s); `userId` may be an SQL expression. */
export const activeGrantOf = (userId: string | SQL, g: Columns = grants): SQL =>
  and(isSql(userId) ? sql`${g.userId} = ${userId}` : eq(g.userId, userId), sql`${g.clearedAt} is null and ${g.expiresAt} > now()`)!;
