import { Utils, type Configuration, type LoggingOptions, type Transaction } from '@mikro-orm/core';
import { AbstractSqlDriver, LibSqlKnexDialect, type Knex } from '@mikro-orm/knex';
import { LibSqlConnection, LibSqlPlatform } from '@mikro-orm/libsql';
import { keepDriverMessage, withoutValues } from './statement-errors.js';

/**
 * How long a statement waits for a lock another connection holds (a second process such as the
 * CLI, or one checkpointing or recovering the WAL) before it fails with SQLITE_BUSY.
 */
export const SQLITE_BUSY_TIMEOUT_MS = 5000;

/** Every connection to a subgraph's SQLite file is opened with these, in this order. */
export const SQLITE_CONNECTION_PRAGMAS = [
  // First: the pragmas below read the file, and need the lock like any statement.
  `busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`,
  // WAL lets readers proceed during a write (it is kept in the file; setting it again is free).
  'journal_mode = wal',
  'foreign_keys = on',
] as const;

/**
 * Prepared statements a connection keeps, by SQL text, the least recently used dropped first.
 * Preparing a statement costs about as much again as running a small query. The texts repeat
 * because values are bound rather than written into them: the ORM's statements
 * ({@link HubLibSqlConnection.execute}), the kit's `selectRows` and the audit append. A hundred
 * holds the shapes a request or an ingest batch uses.
 */
export const SQLITE_STATEMENT_CACHE_SIZE = 100;

/** knex's savepoint statements, whose texts are never repeated. */
const SAVEPOINT_STATEMENT = /^\s*(savepoint|release savepoint|rollback to savepoint)\s/i;

/** libsql's connection (better-sqlite3's API), as much of it as the driver uses. */
export interface SqliteRawConnection {
  exec(sql: string): unknown;
  prepare(sql: string): SqliteStatement;
}

/** libsql's prepared statement (better-sqlite3's API), as much of it as the driver uses. */
export interface SqliteStatement {
  /** True when the statement returns rows (a select, or a write with `returning`). */
  readonly reader: boolean;
  all(values: unknown[]): unknown[];
  run(values: unknown[]): { changes: number; lastInsertRowid: number | bigint };
}

/**
 * Makes `connection.prepare` answer a statement prepared before for the same SQL text, when it
 * has one. A libsql statement is re-bound and reset on every run, and runs synchronously, so one
 * statement serves each of its callers in turn (knex's dialect, the direct audit append). A
 * statement dropped from the cache is finalized when it is collected, as every statement was
 * before; SQLite prepares a statement again by itself when a migration changes the schema.
 */
function cacheStatements(connection: SqliteRawConnection, size: number): void {
  const prepare = connection.prepare.bind(connection);
  const statements = new Map<string, SqliteStatement>();
  connection.prepare = (sql: string) => {
    // knex names each savepoint afresh (trx1, trx2, …): kept, each would push out a statement
    // that is used again.
    if (SAVEPOINT_STATEMENT.test(sql)) return prepare(sql);
    let statement = statements.get(sql);
    if (statement === undefined) {
      statement = prepare(sql);
      if (statements.size >= size) statements.delete(statements.keys().next().value!);
    } else {
      statements.delete(sql);
    }
    statements.set(sql, statement);
    return statement;
  };
}

/**
 * MikroORM's libsql dialect, for local files. The stock dialect reports a connection older than
 * 10 s as invalid (meant for remote libsql servers), so the pool closed and reopened the file
 * every 10 s, and the new connection had SQLite's defaults: the pragmas had been set once, on the
 * first, so after ten seconds the hub ran with a busy timeout of 0. This one sets the pragmas on
 * every connection it opens and keeps a connection as long as the pool does.
 *
 * The busy timeout is given to libsql when it opens the file, so that even the first pragma
 * waits for a lock. Set after `journal_mode`, it was 0 while that ran, and a connection opened
 * while another held the file's lock failed at once with "database is locked" (a CI run's
 * `hub audit verify` did).
 *
 * Each connection keeps its prepared statements ({@link SQLITE_STATEMENT_CACHE_SIZE}).
 */
class HubLibSqlDialect extends LibSqlKnexDialect {
  override async acquireRawConnection(): Promise<SqliteRawConnection> {
    const settings = (this as unknown as { connectionSettings: { filename: string } })
      .connectionSettings;
    const Driver = (this as unknown as { driver: new (file: string, options: object) => unknown })
      .driver;
    const connection = new Driver(settings.filename, {
      ...settings,
      timeout: SQLITE_BUSY_TIMEOUT_MS,
    }) as SqliteRawConnection;
    for (const pragma of SQLITE_CONNECTION_PRAGMAS) connection.exec(`pragma ${pragma}`);
    cacheStatements(connection, SQLITE_STATEMENT_CACHE_SIZE);
    return connection;
  }

  override validateConnection(): boolean {
    return true;
  }

  /**
   * Keeps a refused statement's own message before knex writes the statement, values and all,
   * into it (statement-errors.ts).
   */
  override async _query(connection: unknown, query: unknown): Promise<unknown> {
    try {
      return await super._query(connection, query);
    } catch (error) {
      keepDriverMessage(error);
      throw error;
    }
  }

  /** Called on every statement's values as it runs (knex's own maps Dates and booleans to numbers). */
  _formatBindings(bindings: readonly unknown[] | undefined): unknown[] {
    return bindings ? bindings.map(libsqlBinding) : [];
  }
}

/**
 * MikroORM's SQLite platform, with one change. It turns a Date into its timestamp for the
 * change-tracking snapshot (`processDateProperty`), expecting the data read from the database
 * to hold timestamps too; but the result mapper turns a datetime column into a Date, so every
 * loaded entity with a date compared unequal to its snapshot, and the next flush of its
 * EntityManager rewrote the date of every such entity it held, with the same value, and counted
 * up the optimistic-lock version of each practitioner it held. Keeping the Date in the snapshot
 * compares Date with Date, as on PostgreSQL; the value written is the same timestamp, since the
 * platform writes a Date into SQL as its milliseconds (`quoteValue`).
 */
export class HubLibSqlPlatform extends LibSqlPlatform {
  override processDateProperty(value: unknown): string | number | Date {
    return value as string | number | Date;
  }
}

/**
 * The values of a statement MikroORM would write into its text as literals, if each has a
 * binding that SQLite stores and compares as it would the literal (see
 * {@link libsqlBinding}); else null, and the statement keeps MikroORM's way (an array, an
 * object, a raw fragment, a number that is not a safe integer or a finite fraction, a BigInt,
 * which knex could not write into a failed statement's error message when these statements
 * went through it, so the database's own error was lost).
 */
export function sqliteBindable(params: readonly unknown[]): unknown[] | null {
  const bindable: unknown[] = new Array(params.length);
  for (let i = 0; i < params.length; i += 1) {
    const value = params[i];
    if (value === undefined || value === null) bindable[i] = null;
    else if (
      typeof value === 'string' ||
      typeof value === 'boolean' ||
      Buffer.isBuffer(value) ||
      (typeof value === 'number' &&
        (Number.isSafeInteger(value) || (Number.isFinite(value) && !Number.isInteger(value)))) ||
      (value instanceof Date && Number.isSafeInteger(value.getTime()))
    ) {
      bindable[i] = value;
    } else return null;
  }
  return bindable;
}

/**
 * A value as libsql binds it so that SQLite stores and compares what MikroORM's literal for it
 * would stand for. libsql binds every JS number as a REAL, so an integer goes as a BigInt: a
 * REAL is stored differently in a column of text affinity or none ('5.0' rather than '5'). A
 * Date is its milliseconds, as the platform writes it (`quoteValue`). A boolean is 1 or 0, as
 * SQLite reads `true` and `false`: libsql cannot bind a boolean, and aborts the process if asked.
 */
export function libsqlBinding(value: unknown): unknown {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? BigInt(value) : value;
  if (typeof value === 'boolean') return value ? 1n : 0n;
  if (value instanceof Date) return BigInt(value.getTime());
  return value;
}

/** The number of `?` placeholders in `sql`, or -1 when it has `??` or `\\?` (knex's own forms). */
function placeholders(sql: string): number {
  let count = 0;
  for (let at = sql.indexOf('?'); at !== -1; at = sql.indexOf('?', at + 1)) {
    if (sql[at + 1] === '?' || sql[at - 1] === '\\') return -1;
    count += 1;
  }
  return count;
}

class HubLibSqlConnection extends LibSqlConnection {
  override createKnex(): void {
    this.client = this.createKnexClient(HubLibSqlDialect as never);
    this.connected = true;
  }

  /**
   * MikroORM's `execute` with the values bound to the statement's placeholders, where MikroORM
   * writes them into the SQL text as literals. The text is then the same for every run of a
   * statement's shape, whichever case or child it is about, so the connection prepares it once
   * ({@link SQLITE_STATEMENT_CACHE_SIZE}); before, nearly every statement of the ORM's was
   * prepared afresh. Values without an exact binding ({@link sqliteBindable}) go MikroORM's way.
   * The statement is logged and counted as MikroORM logs it.
   */
  override async execute<T>(
    queryOrKnex: string | Knex.QueryBuilder | Knex.Raw,
    params: unknown[] = [],
    method: 'all' | 'get' | 'run' = 'all',
    ctx?: Transaction,
    loggerContext?: LoggingOptions,
  ): Promise<T> {
    let sql: string;
    if (Utils.isObject<Knex.QueryBuilder | Knex.Raw>(queryOrKnex)) {
      ctx ??= (queryOrKnex as unknown as { client: { transacting?: boolean } }).client.transacting
        ? (queryOrKnex as Transaction)
        : undefined;
      const native = queryOrKnex.toSQL();
      sql = native.sql;
      params = [...(native.bindings ?? [])];
    } else {
      sql = queryOrKnex;
    }
    const bindings = sqliteBindable(params);
    // A query builder made on a transaction (MikroORM's migrator makes one) stands for it here,
    // but cannot say whether it has ended: knex's runner checks that.
    const builderInTransaction = ctx !== undefined && typeof ctx.isCompleted !== 'function';
    if (!bindings || placeholders(sql) !== params.length || builderInTransaction) {
      try {
        return await super.execute<never>(sql, params, method, ctx, loggerContext);
      } catch (error) {
        throw withoutValues(error, sql);
      }
    }
    sql = this.config.get('onQuery')(sql, params);
    await this.ensureConnection();
    const logger = this.config.getLogger();
    const logged = logger.isEnabled('query-params', loggerContext)
      ? this.platform.formatQuery(sql, params)
      : sql;
    return this.executeQuery(
      logged,
      async () =>
        this.transformRawResult<T>(
          await this.runOnLibsql(sql, bindings, ctx as Knex.Transaction | undefined),
          method,
        ),
      { query: sql, params, ...loggerContext },
    );
  }

  /**
   * Runs `sql` with `bindings` on libsql's connection itself when every value has an exact
   * binding ({@link sqliteBindable}) and the SQL has one `?` for each: the kit's `selectRows`.
   * Otherwise (knex's own `??` for an identifier, a value libsql cannot bind) through knex's
   * `raw`, as before.
   */
  async runBound(
    sql: string,
    bindings: readonly unknown[],
    trx?: Knex.Transaction,
  ): Promise<unknown> {
    if (!sqliteBindable(bindings) || placeholders(sql) !== bindings.length) {
      return (trx ?? this.getKnex()).raw(sql, bindings as Knex.RawBinding[]);
    }
    return this.runOnLibsql(sql, bindings, trx);
  }

  /**
   * Runs `sql` with `bindings` (values {@link sqliteBindable} accepted) on libsql's connection
   * itself: the transaction's when `trx` is given, else one taken from the pool and given back.
   * This is what knex's `raw` ends in (its libsql dialect's `_query`), without the layers before
   * it: a query builder and runner per statement, the SQL formatted with its values for its
   * debug log, the connection checks and events; about 15–20 µs of CPU a statement, against
   * 6–8 µs for the statement itself (docs/decisions.md, "Performance"). The answer is what
   * knex's gives: the rows of a statement that returns rows, else `{ changes, lastInsertRowid }`.
   * A failed statement's error names the SQL, as knex's did, but not its values, which are a
   * child's details as often as not.
   */
  private async runOnLibsql(
    sql: string,
    bindings: readonly unknown[],
    trx?: Knex.Transaction,
  ): Promise<unknown> {
    if (trx?.isCompleted()) {
      throw new Error(`${sql} - the transaction has already ended`);
    }
    const client = (trx ?? this.getKnex()).client as unknown as PooledClient;
    const connection = await client.acquireConnection();
    try {
      const statement = connection.prepare(sql);
      const values = bindings.map(libsqlBinding);
      return returnsRows(statement) ? statement.all(values) : statement.run(values);
    } catch (error) {
      if (error instanceof Error) error.message = `${sql} - ${error.message}`;
      throw error;
    } finally {
      // A transaction's client keeps its connection; the pool's takes it back.
      await client.releaseConnection(connection);
    }
  }
}

const readers = new WeakMap<SqliteStatement, boolean>();

/** Whether a statement returns rows, asked of libsql once per prepared statement (a native call). */
function returnsRows(statement: SqliteStatement): boolean {
  let reader = readers.get(statement);
  if (reader === undefined) readers.set(statement, (reader = statement.reader));
  return reader;
}

/** knex's client, as much of it as `runOnLibsql` uses. */
interface PooledClient {
  acquireConnection(): Promise<SqliteRawConnection>;
  releaseConnection(connection: SqliteRawConnection): Promise<unknown>;
}

/** The libsql driver with {@link HubLibSqlDialect} and {@link HubLibSqlPlatform}: what the hub opens SQLite files with. */
export class HubLibSqlDriver extends AbstractSqlDriver<HubLibSqlConnection, HubLibSqlPlatform> {
  constructor(config: Configuration) {
    super(config, new HubLibSqlPlatform(), HubLibSqlConnection, ['knex', 'libsql']);
  }
}
