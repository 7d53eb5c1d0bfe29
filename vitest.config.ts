import { defineConfig } from 'vitest/config';

/** Test files that read SQLite's own files or behaviour; everything else that touches the database runs on PostgreSQL too. */
const SQLITE_ONLY = ['tests/integration/db-migrate.test.ts', 'tests/integration/backup.test.ts', 'tests/integration/private-redis.test.ts', 'tests/integration/redis-outage.test.ts',
  // Exercises Redis, not the database: once is enough.
  'tests/integration/redis-cluster.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two cores: a couple of files at a time keeps timing-sensitive tests honest.
    maxWorkers: 2,
    globalSetup: ['tests/support/global-setup.ts'],
    projects: [
      // tests/postgres needs the PostgreSQL project's server (postgres-setup.ts).
      { extends: true, test: { name: 'sqlite', include: ['tests/**/*.test.ts'], exclude: ['tests/postgres/**'] } },
      ...(process.env.HUIWU_TEST_SKIP_POSTGRES
        ? []
        : [
            {
              extends: true as const,
              test: {
                name: 'postgresql',
                include: ['tests/integration/**/*.test.ts', 'tests/conversation/**/*.test.ts', 'tests/postgres/**/*.test.ts'],
                exclude: SQLITE_ONLY,
                env: { HUIWU_TEST_DB: 'postgresql' },
                globalSetup: ['tests/support/postgres-setup.ts'],
              },
            },
          ]),
    ],
  },
});
