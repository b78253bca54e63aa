import { loadCasesConfig } from '@hub/cases';
import { loadEscalationsConfig } from '@hub/escalations';
import { loadGatewayConfig } from '@hub/gateway';
import { hubEnvSchema, parseConfig, portSchema } from '@hub/kit';
import { loadLearningConfig } from '@hub/learning';
import { loadPanelsConfig } from '@hub/panels';
import { z } from 'zod';

/** What the `hub` command reads beyond each part's own variables. */
export const cliEnvSchema = hubEnvSchema.extend({
  /** `0` starts the embedded hub without demo data. */
  HUB_DEMO: z.enum(['0', '1']).default('1'),
  /**
   * The embedded hub's heap may grow this many percent past what was live after a full
   * collection before V8 collects again (cli/src/heap.ts); 0 leaves it to V8.
   */
  HUB_HEAP_GROWTH_PERCENT: z.coerce.number().int().min(0).max(400).default(30),
  /** `hub ingest`: the running hub's address. @default http://127.0.0.1:$PORT */
  HUB_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** `hub ingest`: the bearer token of an INTEGRATION account of the plugin's agency kind. */
  HUB_TOKEN: z.string().trim().min(1).optional(),
});

/**
 * What `hub ingest` reads: it is a client of a running hub, so it reads neither the databases'
 * nor the other parts' settings, only where the hub is and the token to send.
 */
export function loadIngestConfig(env: Record<string, string | undefined> = process.env) {
  return parseConfig(
    cliEnvSchema.pick({ HUB_URL: true, HUB_TOKEN: true }).extend({ PORT: portSchema(4000) }),
    env,
  );
}

export type IngestConfig = ReturnType<typeof loadIngestConfig>;

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
