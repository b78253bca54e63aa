import { existsSync } from 'node:fs';
import {
  createLogger,
  KIT_ENTITIES,
  kitMigration,
  OutboxEvent,
  openDatabase,
  runMigrations,
  type HubDatabase,
  type HubEvent,
} from '@hub/kit';
import { replayLearning } from '@hub/learning';
import type { CliConfig } from '../config.js';
import { subgraphDefinitions, type SubgraphName } from '../subgraphs.js';
import { subgraphTargets } from '../targets.js';

/** The subgraphs whose events the learning read model is built from, owners first. */
const SOURCES: SubgraphName[] = ['escalations', 'panels', 'learning'];
const PAGE = 1000;

async function open(config: CliConfig, name: SubgraphName): Promise<HubDatabase> {
  const target = subgraphTargets(config)[name];
  if (target.kind === 'sqlite' && !existsSync(target.file))
    throw new ReplayError(`${name}: no database at ${target.file}; start the hub first`);
  const definition = subgraphDefinitions().find((d) => d.name === name)!;
  const log = createLogger('hub', config.hub.LOG_LEVEL === 'info' ? 'warn' : config.hub.LOG_LEVEL);
  return openDatabase({
    target,
    entities: [...KIT_ENTITIES, ...definition.entities],
    migrations: [kitMigration, ...definition.migrations],
    log,
    migrate: false,
  });
}

class ReplayError extends Error {}

async function* concat<T>(first: AsyncIterable<T>, then: Iterable<T>): AsyncGenerator<T> {
  yield* first;
  yield* then;
}

/**
 * Every event each source subgraph ever wrote, read back from its outbox (which keeps events
 * after publishing them) in the order it wrote them, a page at a time.
 */
async function* outboxEvents(databases: [SubgraphName, HubDatabase][]): AsyncGenerator<HubEvent> {
  for (const [source, db] of databases) {
    let after = 0;
    for (;;) {
      // Read while the replay's transaction is open: without disableContextResolution the fork
      // would take that transaction's EntityManager (MikroORM finds it by context name, the
      // same for every database) and read the learning database's outbox instead.
      const page = await db.orm.em
        .fork({ disableContextResolution: true })
        .find(OutboxEvent, { seq: { $gt: after } }, { orderBy: { seq: 'asc' }, limit: PAGE });
      for (const row of page) {
        yield {
          id: row.id,
          type: row.type,
          source,
          aggregateId: row.aggregateId,
          occurredAt: row.occurredAt.toISOString(),
          payload: row.payload,
        };
      }
      if (page.length < PAGE) break;
      after = page[page.length - 1]!.seq;
    }
  }
}

/**
 * `hub replay learning`: rebuilds the learning subgraph's statistics read model from the domain
 * events in the escalations', panels' and learning's outboxes, in one transaction. Migrates the
 * learning database first (the read model's tables must exist); the sources are only read.
 */
export async function replayCommand(args: string[], config: CliConfig): Promise<number> {
  if (args.length !== 1 || args[0] !== 'learning') {
    console.error('usage: hub replay learning');
    return 2;
  }
  const databases: [SubgraphName, HubDatabase][] = [];
  try {
    for (const name of SOURCES) databases.push([name, await open(config, name)]);
    const learning = databases.find(([name]) => name === 'learning')![1];
    await runMigrations(learning.orm, learning.target);
    const started = Date.now();
    // On SQLite the replay's transaction holds the learning database's one connection, so its
    // own outbox (a few events per escalation) is read before; the order does not matter.
    const own: HubEvent[] = [];
    for await (const event of outboxEvents([['learning', learning]])) own.push(event);
    const others = databases.filter(([name]) => name !== 'learning');
    const report = await replayLearning(learning.orm, concat(outboxEvents(others), own));
    console.log(
      `learning: read model rebuilt from ${report.applied} events: ${report.escalations} escalations (${Date.now() - started} ms)`,
    );
    return 0;
  } catch (error) {
    if (error instanceof ReplayError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  } finally {
    for (const [, db] of databases) await db.close();
  }
}
