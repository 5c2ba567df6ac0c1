import { configDefaults, defineConfig } from 'vitest/config';

// A PGlite instance takes seconds to start: each test file shares one, and timeouts are raised to match.
export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts', 'tests/**/*.test.tsx'],
    // The container build runs on its own: npm run test:container (vitest.container.config.ts).
    exclude: [...configDefaults.exclude, 'tests/container/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
