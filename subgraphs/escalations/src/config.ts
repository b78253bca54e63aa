import { hubEnvSchema, parseConfig, portSchema } from '@hub/kit';
import { z } from 'zod';

const escalationsEnvSchema = hubEnvSchema.extend({
  ESCALATIONS_PORT: portSchema(4002),
  ESCALATIONS_HOST: z.string().default('127.0.0.1'),
  /** Puts this subgraph in its own PostgreSQL database instead of DATABASE_URL's. */
  ESCALATIONS_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
});

export type EscalationsConfig = z.infer<typeof escalationsEnvSchema>;

export function loadEscalationsConfig(
  env: Record<string, string | undefined> = process.env,
): EscalationsConfig {
  return parseConfig(escalationsEnvSchema, env);
}
