import { subgraphDefinitions } from '@hub/cli';
import {
  createLogger,
  KIT_ENTITIES,
  kitMigration,
  openDatabase,
  type DatabaseTarget,
  type HubDatabase,
  type Logger,
} from '@hub/kit';
import { generateDataset, type DatasetSummary } from './dataset.generator.js';
import type { DatasetSpec } from './dataset.spec.js';
import { PostgresSink } from './postgres.sink.js';
import type { RowSink } from './row.sink.js';
import { SqliteSink } from './sqlite.sink.js';
import { SUBGRAPHS, type SubgraphName } from './tables.js';

/** A table per subgraph that an empty hub has no row in: the dataset is loaded only into empty databases. */
const EMPTY_UNLESS: Record<SubgraphName, string> = {
  cases: 'board',
  escalations: 'escalation',
  panels: 'resolution_panel',
  learning: 'stats_escalation',
};

export interface LoadReport {
  summary: DatasetSummary;
  /** Rows written per subgraph and table. */
  counts: Record<SubgraphName, Record<string, number>>;
  migrateMs: number;
  loadMs: number;
  /** The largest resident set seen while loading, in MiB: flat whatever the size. */
  peakRssMiB: number;
}

/**
 * Opens a subgraph's database the way the hub does (the kit's `openDatabase` with the
 * subgraph's entities and migrations), migrating it unless `migrate` is false.
 */
export async function openSubgraphDatabase(
  name: SubgraphName,
  target: DatabaseTarget,
  log: Logger,
  migrate: boolean,
): Promise<HubDatabase> {
  const definition = subgraphDefinitions().find((d) => d.name === name)!;
  return openDatabase({
    target,
    entities: [...KIT_ENTITIES, ...definition.entities],
    migrations: [kitMigration, ...definition.migrations],
    log,
    migrate,
  });
}

/**
 * Creates the subgraphs' databases with the hub's own migrations, checks they hold no data,
 * then generates the dataset into them in bulk. The learning database's statistics key, which
 * its migration created, keys the statistics rows.
 */
export async function loadDataset(
  spec: DatasetSpec,
  targets: Record<SubgraphName, DatabaseTarget>,
  log: Logger = createLogger('bench', 'warn'),
  onMonth?: (month: string, summary: Readonly<DatasetSummary>) => void,
): Promise<LoadReport> {
  const kinds = new Set(Object.values(targets).map((t) => t.kind));
  if (kinds.size !== 1) throw new Error('every subgraph must use the same kind of database');
  const started = Date.now();
  let statsKey = '';
  for (const name of SUBGRAPHS) {
    const db = await openSubgraphDatabase(name, targets[name], log, true);
    try {
      const connection = db.orm.em.getConnection();
      const rows = await connection.execute<{ n: number | string }[]>(
        `select count(*) as n from ${EMPTY_UNLESS[name]}`,
      );
      if (Number(rows[0]?.n) > 0) {
        throw new Error(
          `${name}: ${describe(targets[name])} already holds data (${EMPTY_UNLESS[name]}); load the dataset into empty databases`,
        );
      }
      if (targets[name].kind === 'sqlite') {
        // A rollback journal rather than the hub's WAL while loading: the pages of an empty
        // database are written once, not to the WAL and again at its checkpoint. The hub's
        // openDatabase puts every SQLite file back in WAL mode when it opens it. (Set here
        // because only this connection may leave WAL mode: the loader's own opens after it.)
        await connection.execute('pragma journal_mode = delete');
      }
      if (name === 'learning') {
        const setting = await connection.execute<{ value: string }[]>(
          "select value from learning_setting where name = 'stats_key'",
        );
        statsKey = setting[0]?.value ?? '';
        if (!statsKey) throw new Error('learning: the migration created no stats_key');
      }
    } finally {
      await db.close();
    }
  }
  const migrateMs = Date.now() - started;

  const sink = await openSink(targets);
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 200);
  const loading = Date.now();
  try {
    const summary = await generateDataset(spec, statsKey, sink, onMonth);
    await sink.finish();
    return {
      summary,
      counts: sink.counts,
      migrateMs,
      loadMs: Date.now() - loading,
      peakRssMiB: Math.round(Math.max(peak, process.memoryUsage().rss) / 1048576),
    };
  } catch (error) {
    await sink.abort().catch(() => undefined);
    throw error;
  } finally {
    clearInterval(sampler);
  }
}

async function openSink(targets: Record<SubgraphName, DatabaseTarget>): Promise<RowSink> {
  const first = targets.cases;
  if (first.kind === 'sqlite') {
    return new SqliteSink(
      Object.fromEntries(
        SUBGRAPHS.map((name) => [name, (targets[name] as { file: string }).file]),
      ) as Record<SubgraphName, string>,
    );
  }
  const urls = new Set(Object.values(targets).map((t) => (t as { url: string }).url));
  if (urls.size !== 1) throw new Error('the PostgreSQL subgraphs must share one database URL');
  return PostgresSink.open(
    first.url,
    Object.fromEntries(
      SUBGRAPHS.map((name) => [name, (targets[name] as { schema: string }).schema]),
    ) as Record<SubgraphName, string>,
  );
}

function describe(target: DatabaseTarget): string {
  return target.kind === 'sqlite' ? target.file : `schema "${target.schema}"`;
}
