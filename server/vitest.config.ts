import { configDefaults, defineConfig } from 'vitest/config';

// The whole server suite runs twice: once on SQLite and once on PostgreSQL (PARLEY_TEST_DB), but for
// `*.sqlite.test.ts`, which test the SQLite driver itself.
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
          // Tests of the SQLite driver itself (statement cache) have nothing to run on PostgreSQL.
          exclude: [...configDefaults.exclude, 'test/**/*.sqlite.test.ts'],
          env: { PARLEY_TEST_DB: 'postgres' },
          globalSetup: ['test/helpers/pg-schemas.ts'],
        },
      },
    ],
  },
});
