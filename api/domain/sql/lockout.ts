// A key is locked while its lockout has not ended. The validation hot path (which must not use a token
// while its caller is locked out) and the lock state read by the miss path and /me share this test.
import { sql, type SQL } from 'drizzle-orm';
import { attemptCounters } from '../../../db/schema';
import type { Val } from './value';

/** The key's counter row, if the key is locked now. */
export const lockedKey = (key: Val<string>): SQL => sql`${attemptCounters.key} = ${key} and ${attemptCounters.lockedUntil} > now()`;

/** True while the key is locked. */
export const isLocked = (key: Val<string>): SQL => sql`exists (select 1 from ${attemptCounters} where ${lockedKey(key)})`;
