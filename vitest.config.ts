import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Most tests wait on processes they start (Redis, SMTP, S3, the CLI), so two files at a time pay
    // off even on two cores (the default there is one): the suite takes 4 min instead of 7.
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
