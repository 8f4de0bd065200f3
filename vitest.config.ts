import { defineConfig } from 'vitest/config';

// The AssemblyScript specs under assembly/__tests__ belong to as-pect, not vitest.
export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: true,
    maxWorkers: 2,
  },
});
