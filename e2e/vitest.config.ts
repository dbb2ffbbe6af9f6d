import { defineConfig } from 'vitest/config';

// Browser tests: one real server and one Chromium per file, files one after another (two cores).
export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    environment: 'node',
    testTimeout: 90_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    sequence: { concurrent: false },
    globalSetup: ['src/global-setup.ts'],
  },
});
