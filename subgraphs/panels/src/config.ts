import { hubEnvSchema, parseConfig, portSchema } from '@hub/kit';
import { z } from 'zod';

const panelsEnvSchema = hubEnvSchema.extend({
  PANELS_PORT: portSchema(4003),
  PANELS_HOST: z.string().default('127.0.0.1'),
  /** Puts this subgraph in its own PostgreSQL database instead of DATABASE_URL's. */
  PANELS_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
});

export type PanelsConfig = z.infer<typeof panelsEnvSchema>;

export function loadPanelsConfig(
  env: Record<string, string | undefined> = process.env,
): PanelsConfig {
  return parseConfig(panelsEnvSchema, env);
}
