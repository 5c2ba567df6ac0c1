import { configDefaults, defineConfig } from 'vitest/config';

// A PGlite instance takes seconds to start: each test file shares one, and timeouts are raised to match.
export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts', 'tests/**/*.test.tsx'],
    // Suites that run on their own: npm run test:container (vitest.container.config.ts) and
    // npm run test:resilience (vitest.resilience.config.ts, its own Postgres cluster).
    exclude: [...configDefaults.exclude, 'tests/container/**', 'tests/resilience/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
