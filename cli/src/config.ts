import { loadCasesConfig } from '@hub/cases';
import { loadEscalationsConfig } from '@hub/escalations';
import { loadGatewayConfig } from '@hub/gateway';
import { hubEnvSchema, parseConfig } from '@hub/kit';
import { loadLearningConfig } from '@hub/learning';
import { loadPanelsConfig } from '@hub/panels';
import { z } from 'zod';

/** What the `hub` command reads beyond each part's own variables. */
export const cliEnvSchema = hubEnvSchema.extend({
  /** `0` starts the embedded hub without demo data. */
  HUB_DEMO: z.enum(['0', '1']).default('1'),
});

/**
 * Everything the `hub` command needs: the embedded default runs all five parts in one process,
 * so it reads each part's own config (each reports its own problems).
 */
export function loadCliConfig(env: Record<string, string | undefined> = process.env) {
  return {
    hub: parseConfig(cliEnvSchema, env),
    cases: loadCasesConfig(env),
    escalations: loadEscalationsConfig(env),
    panels: loadPanelsConfig(env),
    learning: loadLearningConfig(env),
    gateway: loadGatewayConfig(env),
  };
}

export type CliConfig = ReturnType<typeof loadCliConfig>;
