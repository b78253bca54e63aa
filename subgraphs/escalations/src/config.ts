import { hubEnvSchema, parseConfig, portSchema } from '@hub/kit';
import { z } from 'zod';

/** The variables the escalations subgraph reads; `.env.example` must list each (a test checks). */
export const escalationsEnvSchema = hubEnvSchema.extend({
  ESCALATIONS_PORT: portSchema(4002),
  ESCALATIONS_HOST: z.string().default('127.0.0.1'),
  /** Puts this subgraph in its own PostgreSQL database instead of DATABASE_URL's. */
  ESCALATIONS_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  /** The cases subgraph, asked for directory and case facts (signed internal calls). */
  CASES_INTERNAL_URL: z.url().default('http://127.0.0.1:4001'),
  /** The panels subgraph, asked for a panel's decision when it resolves an escalation. */
  PANELS_INTERNAL_URL: z.url().default('http://127.0.0.1:4003'),
  /** How often the scheduler looks for overdue stages. */
  HUB_OVERDUE_INTERVAL_MS: z.coerce.number().int().min(1000).default(60_000),
});

export type EscalationsConfig = z.infer<typeof escalationsEnvSchema>;

export function loadEscalationsConfig(
  env: Record<string, string | undefined> = process.env,
): EscalationsConfig {
  return parseConfig(escalationsEnvSchema, env);
}
