import { hubEnvSchema, parseConfig, portSchema } from '@hub/kit';
import { z } from 'zod';

/** The variables the panels subgraph reads; `.env.example` must list each (a test checks). */
export const panelsEnvSchema = hubEnvSchema.extend({
  PANELS_PORT: portSchema(4003),
  PANELS_HOST: z.string().default('127.0.0.1'),
  /** Puts this subgraph in its own PostgreSQL database instead of DATABASE_URL's. */
  PANELS_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  /** The cases subgraph, asked for directory facts (signed internal calls). */
  CASES_INTERNAL_URL: z.url().default('http://127.0.0.1:4001'),
  /** The escalations subgraph, asked for an escalation's stage and parties (signed internal calls). */
  ESCALATIONS_INTERNAL_URL: z.url().default('http://127.0.0.1:4002'),
});

export type PanelsConfig = z.infer<typeof panelsEnvSchema>;

export function loadPanelsConfig(
  env: Record<string, string | undefined> = process.env,
): PanelsConfig {
  return parseConfig(panelsEnvSchema, env);
}
