import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  DefaultLogger,
  MikroORM,
  ReflectMetadataProvider,
  TransactionPropagation,
  type EntityClass,
  type EntityManager,
  type TransactionOptions,
  type MigrationObject,
  type LoggerOptions,
  type LogContext,
} from '@mikro-orm/core';
import type { Knex, SqlEntityManager } from '@mikro-orm/knex';
import { Migration, Migrator } from '@mikro-orm/migrations';
import type { Logger } from './log.js';
import { HubPostgreSqlDriver } from './postgres-driver.js';
import { HubLibSqlDriver } from './sqlite-driver.js';

interface PgConnection {
  query(sql: string, callback: (error: Error | null) => void): void;
}

/** Where a subgraph keeps its tables. */
export type DatabaseTarget =
  { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string; schema: string };

/**
 * Chooses a subgraph's database: `<NAME>_DATABASE_URL`, else `DATABASE_URL` (a schema named after
 * the subgraph), else a SQLite file `<name>.sqlite` under the data directory.
 */
export function databaseTarget(
  name: string,
  settings: { dataDir: string; databaseUrl?: string; ownDatabaseUrl?: string; schema?: string },
): DatabaseTarget {
  const url = settings.ownDatabaseUrl ?? settings.databaseUrl;
  if (url) return { kind: 'postgres', url, schema: settings.schema ?? name };
  return { kind: 'sqlite', file: join(settings.dataDir, `${name}.sqlite`) };
}

/**
 * `em.transactional`'s options for a service whose writes belong together and that both a
 * resolver and ingest call (openCase, raiseEscalationAs, ...). From a resolver, which holds no
 * transaction, it opens one, as by default. Within ingest it joins the record's savepoint
 * rather than opening another in a fork of its own, which cost about a third of an ingested
 * case's CPU (docs/decisions.md, "Performance"); a refusal it throws rolls back that savepoint,
 * which holds the one record, so the writes still stand or fall together. A new object for each
 * call: `transactional` writes the transaction it opened into the options it is given.
 */
export function inCallersTransaction(): TransactionOptions {
  return { propagation: TransactionPropagation.REQUIRED };
}

/**
 * Runs `work` in a savepoint of `em`'s open transaction, in a clear fork of its own that keeps
 * the transaction: a rolled-back piece of work leaves no changed entity behind for a later flush.
 * Flushes the fork and releases the savepoint; on an error rolls back to it and rethrows, so the
 * transaction goes on without the work. Written as SQL rather than as a nested
 * `em.transactional`, which costs a fork, a knex transactor and the ORM's commit each time
 * (docs/decisions.md, "Performance"). `name` is fixed per use: savepoints of one use follow one
 * another, never nest.
 */
export async function inSavepoint<T>(
  em: EntityManager,
  name: string,
  work: (tx: EntityManager) => Promise<T>,
): Promise<T> {
  const tx = em.fork({ clear: true, keepTransactionContext: true });
  await runStatement(tx, `savepoint ${name}`);
  try {
    const result = await work(tx);
    await tx.flush();
    await runStatement(tx, `release savepoint ${name}`);
    return result;
  } catch (error) {
    try {
      await runStatement(tx, `rollback to savepoint ${name}`);
      await runStatement(tx, `release savepoint ${name}`);
    } catch {
      // The transaction itself is gone (a lost connection): nothing may go on in it, so the
      // error is no longer one the caller could handle (a refusal, a clash to retry).
      throw new TransactionLostError(error);
    }
    throw error;
  }
}

/** A savepoint's work failed and its transaction could not be rolled back to the savepoint. */
export class TransactionLostError extends Error {
  constructor(cause: unknown) {
    super(
      `${cause instanceof Error ? cause.message : String(cause)} (and the transaction is lost)`,
      { cause },
    );
    this.name = 'TransactionLostError';
  }
}

/** Runs a statement that answers nothing (a savepoint) in `em`'s transaction. */
async function runStatement(em: EntityManager, sql: string): Promise<void> {
  const context = em.getContext(false) as SqlEntityManager;
  await context.execute(
    sql,
    [],
    'run',
    context.getLoggerContext({ disableContextResolution: true }),
  );
}

/** Statement texts kept, in all and per request; beyond them statements are only counted. */
const KEPT_STATEMENTS = 1000;
/** Requests whose statements are kept; the oldest is forgotten first. */
const KEPT_REQUESTS = 1000;

/**
 * Counts the SQL statements an ORM sends, in all and per request (by the correlation id that a
 * request's EntityManager fork carries in its logger context); tests and benchmarks read it. It
 * runs in production too, so what it keeps is bounded: an ingest request sends millions of
 * statements under one correlation id.
 */
export class QueryCounter {
  count = 0;
  readonly statements: string[] = [];
  private readonly perRequest = new Map<string, { count: number; statements: string[] }>();

  record(sql: string, correlationId?: string): void {
    this.count += 1;
    if (this.statements.length < KEPT_STATEMENTS) this.statements.push(sql);
    if (!correlationId) return;
    let request = this.perRequest.get(correlationId);
    if (!request) {
      if (this.perRequest.size >= KEPT_REQUESTS) {
        this.perRequest.delete(this.perRequest.keys().next().value!);
      }
      request = { count: 0, statements: [] };
      this.perRequest.set(correlationId, request);
    }
    request.count += 1;
    if (request.statements.length < KEPT_STATEMENTS) request.statements.push(sql);
  }

  /** The statements sent on behalf of one request (the first thousand). */
  forRequest(correlationId: string): string[] {
    return this.perRequest.get(correlationId)?.statements ?? [];
  }

  /** How many statements were sent on behalf of one request. */
  countForRequest(correlationId: string): number {
    return this.perRequest.get(correlationId)?.count ?? 0;
  }

  reset(): void {
    this.count = 0;
    this.statements.length = 0;
    this.perRequest.clear();
  }
}

class HubOrmLogger extends DefaultLogger {
  constructor(
    options: LoggerOptions,
    private readonly counter: QueryCounter,
  ) {
    super(options);
  }
  override logQuery(context: { query: string } & LogContext): void {
    if (context.level !== 'error') {
      this.counter.record(context.query, (context as { correlationId?: string }).correlationId);
    }
    super.logQuery(context);
  }
}

export interface OpenDatabaseOptions {
  target: DatabaseTarget;
  entities: EntityClass<unknown>[];
  migrations: MigrationObject[];
  log: Logger;
  /** Run pending migrations before returning (default true). */
  migrate?: boolean;
}

export interface HubDatabase {
  orm: MikroORM;
  queries: QueryCounter;
  target: DatabaseTarget;
  /** True when the database answers a trivial query. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<HubDatabase> {
  const { target } = options;
  const queries = new QueryCounter();
  const common = {
    entities: options.entities,
    metadataProvider: ReflectMetadataProvider,
    discovery: { disableDynamicFileAccess: true, requireEntitiesArray: true },
    extensions: [Migrator],
    migrations: {
      migrationsList: options.migrations,
      tableName: 'mikro_orm_migrations',
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      silent: true,
    },
    allowGlobalContext: false,
    /*
     * MikroORM finds an open transaction by context name, 'default' for every ORM: in one process
     * (the embedded hub, the CLI) a fork of one subgraph's EntityManager inside another's
     * transaction would join that transaction, on the wrong database. One name per database.
     */
    contextName: target.kind === 'sqlite' ? `sqlite:${target.file}` : `postgres:${target.schema}`,
    forceUtcTimezone: true,
    debug: false,
    loggerFactory: (loggerOptions: LoggerOptions) => new HubOrmLogger(loggerOptions, queries),
    logger: (message: string) => options.log.debug(message),
    // A refused statement's error names the SQL knex sent, not that SQL with its values written
    // in. The drivers put back the statement's text with its placeholders where MikroORM wrote
    // the values in as literals (statement-errors.ts).
    driverOptions: { compileSqlOnError: false },
  };
  let orm: MikroORM;
  if (target.kind === 'sqlite') {
    mkdirSync(join(target.file, '..'), { recursive: true });
    // Every connection gets WAL, the busy timeout and foreign keys (sqlite-driver.ts).
    orm = await MikroORM.init({ ...common, driver: HubLibSqlDriver, dbName: target.file });
  } else {
    orm = await MikroORM.init({
      ...common,
      driver: HubPostgreSqlDriver,
      clientUrl: target.url,
      schema: target.schema,
      // Raw SQL (reference counters, locks) then finds the subgraph's tables unqualified.
      pool: {
        min: 0,
        max: 10,
        afterCreate: (
          connection: PgConnection,
          done: (error: Error | null, connection: PgConnection) => void,
        ) => {
          connection.query(`set search_path to "${target.schema}"`, (error) =>
            done(error, connection),
          );
        },
      },
    });
    // Migrating creates the schema too, under the lock: concurrent `create schema if not exists`
    // can fail on PostgreSQL.
    if (options.migrate === false) {
      await orm.em.getConnection().execute(`create schema if not exists "${target.schema}"`);
    }
  }
  if (options.migrate !== false) await runMigrations(orm, target);
  queries.reset();
  return {
    orm,
    queries,
    target,
    async ping() {
      try {
        await orm.em.getConnection().execute('select 1');
        return true;
      } catch {
        return false;
      }
    },
    close: () => orm.close(true),
  };
}

/**
 * Runs a subgraph's pending migrations (on PostgreSQL creating its schema first), resolving with
 * the names applied. On PostgreSQL a session-level advisory lock per schema serializes them: replicas that start together on an
 * unmigrated database would otherwise race to create the same tables, and all but one fail.
 * The others wait, then find nothing pending.
 */
export async function runMigrations(orm: MikroORM, target: DatabaseTarget): Promise<string[]> {
  if (target.kind === 'sqlite') {
    return (await orm.getMigrator().up()).map((migration) => migration.name);
  }
  const knex = (orm.em.getConnection() as unknown as { getKnex(): Knex }).getKnex();
  const lock = `hub-migrations:${target.schema}`;
  // One dedicated connection holds the lock while the migrator uses others from the pool.
  const connection = await knex.client.acquireConnection();
  try {
    await knex.raw('select pg_advisory_lock(hashtext(?))', [lock]).connection(connection);
    try {
      await knex.raw(`create schema if not exists "${target.schema}"`).connection(connection);
      return (await orm.getMigrator().up()).map((migration) => migration.name);
    } finally {
      await knex.raw('select pg_advisory_unlock(hashtext(?))', [lock]).connection(connection);
    }
  } finally {
    await knex.client.releaseConnection(connection);
  }
}

/**
 * Base for the hub's migrations. They are written with knex's schema builder, so the same
 * migration creates the same tables on SQLite and PostgreSQL, in the subgraph's schema there.
 */
export abstract class HubMigration extends Migration {
  /** The subgraph's PostgreSQL schema; undefined on SQLite. */
  protected get schemaName(): string | undefined {
    return this.config.get('schema');
  }

  protected get isPostgres(): boolean {
    return this.config.get('driver') === HubPostgreSqlDriver;
  }

  /** The schema builder, bound to the subgraph's schema. */
  protected get schemaBuilder(): Knex.SchemaBuilder {
    const builder = this.getKnex().schema;
    return this.schemaName ? builder.withSchema(this.schemaName) : builder;
  }

  /** Queues each statement of a schema builder as its own migration query. */
  protected addSchema(builder: Knex.SchemaBuilder): void {
    for (const statement of builder.toSQL() as unknown as { sql: string }[]) {
      this.addSql(statement.sql);
    }
  }
}
