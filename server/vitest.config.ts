import { defineConfig } from 'vitest/config';

// The whole server suite runs twice: once on SQLite and once on PostgreSQL (PARLEY_TEST_DB).
const shared = {
  include: ['test/**/*.test.ts'],
  testTimeout: 30_000,
  hookTimeout: 30_000,
};

export default defineConfig({
  test: {
    projects: [
      { test: { ...shared, name: 'sqlite', env: { PARLEY_TEST_DB: 'sqlite' } } },
      {
        test: {
          ...shared,
          name: 'postgres',
          env: { PARLEY_TEST_DB: 'postgres' },
          globalSetup: ['test/helpers/pg-schemas.ts'],
        },
      },
    ],
  },
});
