/**
 * Test settings. `HUB_TEST_DATABASE_URL` (set by .ci/run) makes every database test run against
 * PostgreSQL as well as SQLite; without it only SQLite runs, so a fresh clone needs no server.
 */
export const testDatabaseUrl: string | undefined = process.env.HUB_TEST_DATABASE_URL || undefined;

/** `HUB_TEST_LOG=error` (or debug, …) shows the hub's logs while tests run. */
export const testLogLevel: string = process.env.HUB_TEST_LOG || 'silent';

/**
 * A NATS server with JetStream (`nats://127.0.0.1:4222`): with it set (.ci/run sets it), the bus
 * tests and the process tests also run on NATS, and fail when it is not reachable; without it only
 * the in-process bus runs, so a fresh clone needs no server.
 */
export const testNatsUrl: string | undefined = process.env.HUB_TEST_NATS_URL || undefined;

/**
 * A Chromium binary (Debian's `chromium`) for the browser tests, driven by playwright-core: with
 * it set (.ci/run sets it), they run and must pass; without it a fresh clone skips them.
 */
export const testChromium: string | undefined = process.env.HUB_TEST_CHROMIUM || undefined;
