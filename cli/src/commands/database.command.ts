import { existsSync } from 'node:fs';
import {
  createLogger,
  KIT_ENTITIES,
  kitMigration,
  openDatabase,
  runMigrations,
  verifyAuditChain,
  type HubDatabase,
} from '@hub/kit';
import type { CliConfig } from '../config.js';
import { subgraphDefinitions } from '../subgraphs.js';
import { subgraphTargets } from '../targets.js';

async function eachDatabase(
  config: CliConfig,
  create: boolean,
  use: (name: string, db: HubDatabase) => Promise<void>,
) {
  const targets = subgraphTargets(config);
  const log = createLogger('hub', config.hub.LOG_LEVEL === 'info' ? 'warn' : config.hub.LOG_LEVEL);
  for (const definition of subgraphDefinitions()) {
    const target = targets[definition.name as keyof typeof targets];
    // A read-only command must not create an embedded database that does not exist yet.
    if (!create && target.kind === 'sqlite' && !existsSync(target.file)) {
      console.log(`${definition.name}: no database yet (${target.file})`);
      continue;
    }
    const db = await openDatabase({
      target,
      entities: [...KIT_ENTITIES, ...definition.entities],
      migrations: [kitMigration, ...definition.migrations],
      log,
      // The commands decide what to run; opening never migrates here.
      migrate: false,
    });
    try {
      await use(definition.name, db);
    } finally {
      await db.close();
    }
  }
}

/** `hub migrate`: runs every subgraph's pending migrations, then exits. */
export async function migrateCommand(config: CliConfig): Promise<number> {
  await eachDatabase(config, true, async (name, db) => {
    const applied = await runMigrations(db.orm, db.target);
    console.log(
      `${name}: ${applied.length === 0 ? 'up to date' : `applied ${applied.join(', ')}`}`,
    );
  });
  return 0;
}

/** `hub audit verify`: checks every subgraph's audit chain; exit 1 naming the first broken entry. */
export async function auditVerifyCommand(config: CliConfig): Promise<number> {
  let broken = 0;
  await eachDatabase(config, false, async (name, db) => {
    const result = await verifyAuditChain(db.orm.em.fork());
    if (result.ok) {
      console.log(`${name}: audit chain intact (${result.entries} entries)`);
    } else {
      broken += 1;
      console.error(`${name}: audit chain BROKEN at entry ${result.brokenAt}: ${result.reason}`);
    }
  });
  return broken === 0 ? 0 : 1;
}
