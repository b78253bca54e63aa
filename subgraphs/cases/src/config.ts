import { hubEnvSchema, parseConfig, portSchema } from '@hub/kit';
import { z } from 'zod';

/** The variables the cases subgraph reads; `.env.example` must list each (a test checks). */
export const casesEnvSchema = hubEnvSchema.extend({
  CASES_PORT: portSchema(4001),
  CASES_HOST: z.string().default('127.0.0.1'),
  /** Puts this subgraph in its own PostgreSQL database instead of DATABASE_URL's. */
  CASES_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
});

export type CasesConfig = z.infer<typeof casesEnvSchema>;

export function loadCasesConfig(
  env: Record<string, string | undefined> = process.env,
): CasesConfig {
  return parseConfig(casesEnvSchema, env);
}
