import { defineConfig } from 'vitest/config';

// `npm run test:container` (run by .ci/run): the Dockerfile's steps on the host, which install the
// dependencies twice and build everything, so it is kept out of `npm test`.
export default defineConfig({
  test: {
    include: ['tests/container/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 900_000,
    pool: 'forks',
    maxWorkers: 1,
  },
});
