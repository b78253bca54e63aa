import { z } from 'zod';

/** A configuration problem; the message lists every problem found. */
export class ConfigError extends Error {}

/**
 * Parses `env` with `schema`, reporting every problem at once (house style 7). Entry points catch
 * ConfigError, print it and exit non-zero.
 */
export function parseConfig<S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined>,
): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const lines = result.error.issues.map(
    (issue) => `  ${issue.path.join('.') || '(environment)'}: ${issue.message}`,
  );
  throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
}

const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);

/** Variables every hub process shares. `.env.example` lists them with their defaults. */
export const hubEnvSchema = z.object({
  HUB_DATA_DIR: z.string().min(1).default('.data'),
  /** One PostgreSQL database for all subgraphs, a schema each; unset = SQLite files under HUB_DATA_DIR. */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  /**
   * Secret shared by the gateway and subgraphs to sign the actor header. The embedded hub creates
   * one under HUB_DATA_DIR when unset; `hub serve` requires it (or HUB_INTERNAL_SECRET_FILE).
   */
  HUB_INTERNAL_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** A file holding the secret instead (a mounted container secret). */
  HUB_INTERNAL_SECRET_FILE: z.string().min(1).optional(),
  /** How long a process may take to stop on SIGTERM before it gives up and exits 1. */
  HUB_SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(10_000),
  /**
   * `memory`: the in-process bus, for the embedded hub (one process). A nats:// URL: NATS
   * JetStream (stream HUB_EVENTS, a durable consumer per subgraph), which processes share.
   */
  HUB_BUS: z
    .string()
    .regex(/^(memory|nats:\/\/.+)$/, 'must be "memory" or a nats:// URL')
    .default('memory'),
  /** Names the hub's NATS subjects and streams (`hub` → `hub.events.*`, HUB_EVENTS). */
  HUB_BUS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,32}$/, 'must be 1 to 32 letters, digits, "-" or "_"')
    .default('hub'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Largest request body a hub server accepts. */
  HUB_BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/i, 'must look like 100kb or 1mb')
    .default('1mb'),
});
export type HubEnv = z.infer<typeof hubEnvSchema>;

export { port as portSchema };
