import { readFileSync } from 'node:fs';
import { createTokenVerifier, loadOrCreateEmbeddedKey, mintToken } from '@hub/gateway';
import {
  closeOnSignals,
  createLogger,
  drainGraceMs,
  isShuttingDown,
  loadOrCreateInternalSecret,
} from '@hub/kit';
import type { CliConfig } from '../config.js';
import { seedDemoEscalations } from '../demo/escalations.seed.js';
import { seedDemoHistory } from '../demo/history.seed.js';
import { seedDemoLearning } from '../demo/learning.seed.js';
import { seedDemoPanels } from '../demo/panels.seed.js';
import { isEmpty, seedDemo, type SeedTarget } from '../demo/seed.js';
import { graphqlRequest } from '../graphql-client.js';
import { setHeapGrowth } from '../heap.js';
import { startHub } from '../hub.js';
import { subgraphTargets } from '../targets.js';

/**
 * `npm start`: the embedded default. All four subgraphs and the gateway in this process, SQLite
 * files under HUB_DATA_DIR (or PostgreSQL with DATABASE_URL), the in-process bus, demo data on
 * first start unless HUB_DEMO=0.
 */
export async function startCommand(config: CliConfig): Promise<number> {
  const log = createLogger('hub', config.hub.LOG_LEVEL);
  // One process holds all five parts: keep its heap near what is live (heap.ts).
  const heapGrowthPercent = config.hub.HUB_HEAP_GROWTH_PERCENT;
  setHeapGrowth(heapGrowthPercent);
  log.info(
    { heapGrowthPercent },
    heapGrowthPercent > 0
      ? 'heap collected when it grows this many percent past what is live'
      : 'heap growth left to V8',
  );
  const dataDir = config.hub.HUB_DATA_DIR;
  const supergraphSdl = readFileSync(config.gateway.HUB_SUPERGRAPH_PATH, 'utf8');
  const key = config.gateway.OIDC_ISSUER ? null : await loadOrCreateEmbeddedKey(dataDir);
  const verifier = await createTokenVerifier(config.gateway, key);
  // The demo's older escalations are raised with the clock set back (seedDemoHistory,
  // seedDemoEscalations); the rest of the time it is the system clock.
  let clockOffsetMs = 0;
  const clock = () => new Date(Date.now() + clockOffsetMs);
  // Only an embedded key can seed the demo; until seeding is decided and done, not ready.
  const mayCreateDemo = key !== null && config.hub.HUB_DEMO === '1';
  // The handler is in place before anything starts: Ctrl-C while starting stops cleanly too.
  const starting = startHub({
    targets: subgraphTargets(config),
    ports: {
      gateway: config.gateway.PORT,
      cases: config.cases.CASES_PORT,
      escalations: config.escalations.ESCALATIONS_PORT,
      panels: config.panels.PANELS_PORT,
      learning: config.learning.LEARNING_PORT,
    },
    host: config.gateway.HOST,
    internalSecret: loadOrCreateInternalSecret(dataDir, config.hub.HUB_INTERNAL_SECRET),
    verifier,
    supergraphSdl,
    log,
    bodyLimit: config.hub.HUB_BODY_LIMIT,
    maxDepth: config.gateway.HUB_MAX_DEPTH,
    maxCost: config.gateway.HUB_MAX_COST,
    trustProxy: config.gateway.HUB_TRUST_PROXY,
    ingestMaxBytes: config.gateway.HUB_INGEST_MAX_BYTES,
    bus: config.hub.HUB_BUS,
    busPrefix: config.hub.HUB_BUS_PREFIX,
    overdueIntervalMs: config.escalations.HUB_OVERDUE_INTERVAL_MS,
    statsCacheRows: config.learning.LEARNING_STATS_CACHE_ROWS,
    drainMs: drainGraceMs(config.hub.HUB_SHUTDOWN_TIMEOUT_MS),
    clock,
    waitFor: mayCreateDemo ? 'demo data' : undefined,
  });
  closeOnSignals(
    log,
    async () => {
      const hub = await starting.catch(() => null);
      await hub?.close();
    },
    config.hub.HUB_SHUTDOWN_TIMEOUT_MS,
  );
  const hub = await starting;
  if (isShuttingDown()) return -1;

  const lines = [
    '',
    'Safeguarding escalation hub (embedded default) is running.',
    `  GraphQL:  ${hub.url}   (open it in a browser for GraphiQL)`,
    `  Health:   ${hub.url.replace(/\/graphql$/, '/readyz')}`,
    `  Data:     ${config.hub.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : `SQLite files under ${dataDir}/`}`,
  ];
  if (key) {
    const target = {
      url: hub.url,
      adminToken: await mintToken(key, { subject: 'admin', admin: true }),
      tokenFor: (id: string) => mintToken(key, { subject: id }),
      setClock: (at: Date | null) => {
        clockOffsetMs = at ? at.getTime() - Date.now() : 0;
      },
    } satisfies SeedTarget;
    if (mayCreateDemo && (await isEmpty(target))) {
      const demo = await seedDemo(target);
      // The past first, so that references follow the order escalations were raised in.
      const history = await seedDemoHistory(target, demo);
      const escalations = await seedDemoEscalations(target, demo);
      const panels = await seedDemoPanels(target, demo, escalations);
      await seedDemoLearning(target, demo, { history, escalations, panels });
      lines.push(
        '  Demo:     created the Northbridge demo board, its cases, six months of escalations, some at',
        '            every stage today, and what the board learned from them (first start).',
      );
    }
    hub.markReady();
    lines.push(
      '',
      'Tokens (the token is the last line printed):',
      '  npm run --silent token -- --admin',
      '  npm run --silent token -- --practitioner <id>',
      '',
      ...(await practitionerTable(target)),
    );
  } else {
    lines.push('', `Tokens come from the OIDC issuer ${config.gateway.OIDC_ISSUER}.`);
    const admins = config.gateway.HUB_ADMIN_SUBJECTS;
    if (admins.length > 0) {
      lines.push(`Bootstrap administrator subjects (HUB_ADMIN_SUBJECTS): ${admins.join(', ')}`);
    }
  }
  console.log(lines.join('\n'));
  return -1; // keep running
}

/** The directory's practitioners, so a newcomer can pick whose token to mint. */
async function practitionerTable(target: SeedTarget): Promise<string[]> {
  const { boards } = await graphqlRequest<{
    boards: { name: string; agencies: { name: string; id: string }[] }[];
  }>(
    target.url,
    target.adminToken,
    /* GraphQL */ `
      {
        boards {
          name
          agencies {
            id
            name
          }
        }
      }
    `,
  );
  const rows: string[] = [];
  for (const board of boards) {
    rows.push(`Practitioners of ${board.name}:`);
    for (const agency of board.agencies) {
      const { practitioners } = await graphqlRequest<{
        practitioners: { id: string; name: string; roles: string[]; active: boolean }[];
      }>(
        target.url,
        target.adminToken,
        /* GraphQL */ `
          query ($id: ID!) {
            practitioners(agencyId: $id) {
              id
              name
              roles
              active
            }
          }
        `,
        { id: agency.id },
      );
      for (const p of practitioners) {
        // A deactivated practitioner's tokens are refused: say so before someone mints one.
        const state = p.active ? '' : '  (deactivated)';
        rows.push(
          `  ${p.id}  ${p.name.padEnd(44)} ${p.roles.join(', ')}  (${agency.name})${state}`,
        );
      }
    }
  }
  return rows;
}
