/**
 * Test settings. `HUB_TEST_DATABASE_URL` (set by .ci/run) makes every database test run against
 * PostgreSQL as well as SQLite; without it only SQLite runs, so a fresh clone needs no server.
 */
export const testDatabaseUrl: string | undefined = process.env.HUB_TEST_DATABASE_URL || undefined;

/** `HUB_TEST_LOG=error` (or debug, …) shows the hub's logs while tests run. */
export const testLogLevel: string = process.env.HUB_TEST_LOG || 'silent';
