// Says plainly whether the cases about Postgres itself (tests/deploy/backup.test.ts: migrate-to-postgres,
// pg_dump) run. Without DATABASE_URL or TEST_POSTGRES_URL they do not; that passes locally with the reason
// printed but FAILS when CI=true, so no CI leg can skip them.
import { describe, expect, it } from 'vitest';
import { postgresAvailable } from '../helpers/database';

describe('Postgres-only cases', () => {
  it('have a Postgres, or are allowed to go without one', () => {
    if (!postgresAvailable) console.warn('\n[deploy] Postgres-only cases NOT RUN: set TEST_POSTGRES_URL (or DATABASE_URL)\n');
    expect(postgresAvailable || process.env.CI !== 'true', 'CI=true needs TEST_POSTGRES_URL or DATABASE_URL').toBe(true);
  });
});
