import { configDefaults, defineConfig } from 'vitest/config';

// A PGlite instance takes seconds to start: each test file shares one, and timeouts are raised to match.
export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts', 'tests/**/*.test.tsx'],
    // Suites that run on their own: npm run test:container (vitest.container.config.ts) and
    // npm run test:resilience (vitest.resilience.config.ts, its own Postgres cluster).
    // *.pg.test.ts need Postgres itself (roles, privileges): only the run with DATABASE_URL includes them,
    // so the embedded run neither fails nor reports them skipped.
    exclude: [...configDefaults.exclude, 'tests/container/**', 'tests/resilience/**', ...(process.env.DATABASE_URL ? [] : ['tests/**/*.pg.test.ts'])],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Prints the runtime's warnings for a test that fails (tests/helpers/logs.ts).
    setupFiles: ['tests/helpers/setup.ts'],
    pool: 'forks',
    maxWorkers: 2,
  },
});
