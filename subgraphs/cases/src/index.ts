import { IngestLedgerEntry, type SubgraphDefinition } from '@hub/kit';
import { createContext, type CasesContext } from './context.js';
import * as entities from './entities/index.js';
import { subscribeCases } from './events.js';
import { casesIngestRoutes } from './ingest/cases-ingest.routes.js';
import { casesInternalRoutes } from './internal.js';
import { casesMigrations } from './migrations/index.js';
import { buildCasesSchema } from './schema.js';

export { buildCasesSchema } from './schema.js';
export { casesEnvSchema, loadCasesConfig, type CasesConfig } from './config.js';
export * from './entities/index.js';

/**
 * The cases subgraph: boards, agencies, practitioners, cases, child subjects and source records.
 * `startSubgraph(casesSubgraph, runtime)` from the kit starts it; `main.ts` does so from the environment.
 */
export const casesSubgraph: SubgraphDefinition<CasesContext> = {
  name: 'cases',
  entities: [...Object.values(entities), IngestLedgerEntry],
  migrations: casesMigrations,
  buildSchema: buildCasesSchema,
  createContext,
  internal: (router, db, services) => {
    casesInternalRoutes(router, db);
    casesIngestRoutes(router, db, services);
  },
  subscribe: subscribeCases,
};
