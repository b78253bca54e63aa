import DataLoader from 'dataloader';
import type {
  Dictionary,
  EntityClass,
  EntityManager,
  EntityMetadata,
  LogContext,
} from '@mikro-orm/core';
import type { Knex, SqlEntityManager } from '@mikro-orm/knex';
import { withoutValues } from './statement-errors.js';
import { isUuid } from './text.js';

type Order = Record<string, 'asc' | 'desc'>;

/** An entity's SELECT by one column, cut where the keys go: per entity, column and order. */
const selects = new WeakMap<EntityMetadata, Map<string, [string, string]>>();

function selectByKeys(
  em: SqlEntityManager,
  meta: EntityMetadata,
  property: string,
  orderBy: Order,
  count: number,
): string {
  let ofEntity = selects.get(meta);
  if (!ofEntity) selects.set(meta, (ofEntity = new Map()));
  const cacheKey = `${property}|${JSON.stringify(orderBy)}`;
  let parts = ofEntity.get(cacheKey);
  if (!parts) {
    const platform = em.getPlatform();
    const column = (name: string) => {
      const prop = meta.properties[name];
      if (!prop?.fieldNames?.length) throw new Error(`${meta.className} has no column ${name}`);
      return platform.quoteIdentifier(prop.fieldNames[0]!);
    };
    const columns = meta.props
      .filter((prop) => prop.persist !== false && prop.fieldNames?.length)
      .flatMap((prop) => prop.fieldNames.map((field) => platform.quoteIdentifier(field)));
    const order = Object.entries(orderBy).map(([name, dir]) => `${column(name)} ${dir}`);
    parts = [
      `select ${columns.join(', ')} from ${platform.quoteIdentifier(meta.tableName)}` +
        ` where ${column(property)} in (`,
      ')' + (order.length ? ` order by ${order.join(', ')}` : ''),
    ];
    ofEntity.set(cacheKey, parts);
  }
  // The placeholders are built per call: a cache by key count would keep one string per count.
  return parts[0] + '?, '.repeat(count - 1) + '?' + parts[1];
}

/** The parts of MikroORM's SQL connection that `selectRows` runs a statement through. */
interface LoggedSqlConnection {
  getKnex(): Knex;
  executeQuery<T>(query: string, run: () => Promise<T>, context?: LogContext): Promise<T>;
  transformRawResult<T>(result: unknown, method: 'all'): T;
  /** The hub's SQLite connection runs a bound statement on libsql itself (sqlite-driver.ts). */
  runBound?(sql: string, bindings: readonly unknown[], trx?: Knex.Transaction): Promise<unknown>;
}

/**
 * The rows of a hand-written `select` read through `em`'s connection: in its transaction if it
 * is in one, and logged and counted as the ORM's own statements are. For a loader's read that
 * needs neither entities nor the query builder.
 *
 * The values are bound to the statement's placeholders, where the ORM's `execute` writes them
 * into the SQL text as literals. So the text is the same for every request of a shape (a
 * lookup of three keys, whoever asks for which), and SQLite's connections prepare it once
 * (sqlite-driver.ts); on PostgreSQL the values go as parameters. `executeQuery` and
 * `transformRawResult` are what the ORM's `execute` itself runs around the statement.
 */
export function selectRows<R>(em: EntityManager, sql: string, params: unknown[]): Promise<R[]> {
  // Not validated: the global EntityManager may run a read of its own (the actor lookup).
  const context = em.getContext(false) as SqlEntityManager;
  const connection = context.getConnection() as unknown as LoggedSqlConnection;
  return connection.executeQuery(
    sql,
    async () => {
      const trx = context.getTransactionContext<Knex.Transaction>();
      try {
        if (connection.runBound) {
          return connection.transformRawResult<R[]>(
            await connection.runBound(sql, params, trx),
            'all',
          );
        }
        // A transaction's own `raw` is what `transacting` would make (knex's `transacting` also
        // walks the transaction's properties with lodash's isEmpty, 1–2 % of ingest's CPU).
        const query = (trx ?? connection.getKnex()).raw(sql, params as Knex.RawBinding[]);
        return connection.transformRawResult<R[]>(await query, 'all');
      } catch (error) {
        // knex wrote the values into the message (statement-errors.ts).
        throw withoutValues(error, sql);
      }
    },
    { query: sql, params, ...context.getLoggerContext({ disableContextResolution: true }) },
  );
}

/**
 * The entities whose `property` is one of `keys`, in `orderBy`'s order: what
 * `em.find(entity, { [property]: { $in: keys } }, { orderBy })` answers, managed by `em` in the
 * same way (merged into its identity map, ready to change and flush), but with the statement
 * built once per shape from the entity's metadata rather than by the query builder on every
 * call, which was most of a DataLoader batch's CPU (docs/decisions.md, "Performance"). It is
 * for the loaders' simple lookups by key: no filters, no populate, and no flush before the read
 * (the loaders read by id and foreign key, which no request changes before reading).
 */
export async function findByKeys<T extends object>(
  em: EntityManager,
  entity: EntityClass<T>,
  property: keyof T & string,
  keys: readonly unknown[],
  orderBy: Partial<Record<keyof T & string, 'asc' | 'desc'>> = {},
): Promise<T[]> {
  if (keys.length === 0) return [];
  const context = em.getContext() as SqlEntityManager;
  const meta = context.getMetadata().get<T>(entity.name);
  const sql = selectByKeys(
    context,
    meta as EntityMetadata,
    property,
    orderBy as Order,
    keys.length,
  );
  const rows = await selectRows<Dictionary>(context, sql, [...keys]);
  const driver = context.getDriver();
  const factory = context.getEntityFactory();
  return rows.map((row) =>
    factory.create<T>(entity, driver.mapResult(row as never, meta) as never, {
      merge: true,
      convertCustomTypes: true,
    }),
  );
}

/**
 * A loader for one row per key: `fetch` gets every key of a batch at once, and results come
 * back in the keys' order, `null` where nothing matched (graphql/dataloader's contract).
 * `options` are DataLoader's (e.g. `maxBatchSize` where the source answers batches of at most
 * so many keys).
 */
export function keyedLoader<K, V>(
  fetch: (keys: readonly K[]) => Promise<V[]>,
  keyOf: (value: V) => K,
  options?: DataLoader.Options<K, V | null>,
): DataLoader<K, V | null> {
  return new DataLoader<K, V | null>(async (keys) => {
    const rows = await fetch(keys);
    const byKey = new Map<K, V>();
    for (const row of rows) byKey.set(keyOf(row), row);
    return keys.map((key) => byKey.get(key) ?? null);
  }, options);
}

/**
 * A loader for many rows per key (a one-to-many relation): `[]` where nothing matched.
 * `options` as for {@link keyedLoader}.
 */
export function groupedLoader<K, V>(
  fetch: (keys: readonly K[]) => Promise<V[]>,
  keyOf: (value: V) => K,
  options?: DataLoader.Options<K, V[]>,
): DataLoader<K, V[]> {
  return new DataLoader<K, V[]>(async (keys) => {
    const rows = await fetch(keys);
    const byKey = new Map<K, V[]>();
    for (const row of rows) {
      const key = keyOf(row);
      const group = byKey.get(key);
      if (group) group.push(row);
      else byKey.set(key, [row]);
    }
    return keys.map((key) => byKey.get(key) ?? []);
  }, options);
}

/**
 * Loads entities by UUID primary key in one `IN` query per batch. Keys that are not UUIDs name
 * nothing and resolve to null without reaching the database.
 */
export function entityLoader<T extends { id: string }>(
  em: EntityManager,
  entity: EntityClass<T>,
): DataLoader<string, T | null> {
  return keyedLoader<string, T>(
    (ids) => findByKeys(em, entity, 'id', ids.filter(isUuid)),
    (row) => row.id,
  );
}
