import { defineConfig } from 'vitest/config';

// The database fault suite: each file starts its own throwaway Postgres cluster (initdb into a temp folder,
// its own port) and restarts or stops it under load. Needs Postgres installed; run by .ci/run.
export default defineConfig({
  test: {
    include: ['tests/resilience/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: 'forks',
    maxWorkers: 1,
  },
});
