import { hubEnvSchema, parseConfig, portSchema } from '@hub/kit';
import { z } from 'zod';

/** The variables the learning subgraph reads; `.env.example` must list each (a test checks). */
export const learningEnvSchema = hubEnvSchema.extend({
  LEARNING_PORT: portSchema(4004),
  LEARNING_HOST: z.string().default('127.0.0.1'),
  /**
   * Statistics rows (one per escalation) kept in memory across boards between requests (about
   * 56 bytes each); 0 keeps none, and every escalationStats request reads its board's rows.
   */
  LEARNING_STATS_CACHE_ROWS: z.coerce.number().int().min(0).default(1_000_000),
  /** Puts this subgraph in its own PostgreSQL database instead of DATABASE_URL's. */
  LEARNING_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  /** The cases subgraph, asked for a board's disclosure threshold and practitioners (signed internal calls). */
  CASES_INTERNAL_URL: z.url().default('http://127.0.0.1:4001'),
  /** The escalations subgraph, asked who may tag or debrief an escalation (signed internal calls). */
  ESCALATIONS_INTERNAL_URL: z.url().default('http://127.0.0.1:4002'),
});

export type LearningConfig = z.infer<typeof learningEnvSchema>;

export function loadLearningConfig(
  env: Record<string, string | undefined> = process.env,
): LearningConfig {
  return parseConfig(learningEnvSchema, env);
}
