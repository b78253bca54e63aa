import type { Configuration } from '@mikro-orm/core';
import { AbstractSqlDriver, LibSqlKnexDialect } from '@mikro-orm/knex';
import { LibSqlConnection, LibSqlPlatform } from '@mikro-orm/libsql';

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
 * Preparing a statement costs about as much again as running a small query. What is kept pays
 * off for statements whose values are bound rather than written into the text: the kit's
 * `selectRows` (the loaders' lookups by key, the actor lookup) and the audit append. The ORM's
 * own statements carry their values as literals, so most of their texts are used once; a
 * hundred is room for the bound shapes without holding many of those.
 */
export const SQLITE_STATEMENT_CACHE_SIZE = 100;

/** libsql's connection (better-sqlite3's API), as much of it as the driver uses. */
export interface SqliteRawConnection {
  exec(sql: string): unknown;
  prepare(sql: string): unknown;
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
  const statements = new Map<string, unknown>();
  connection.prepare = (sql: string) => {
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

class HubLibSqlConnection extends LibSqlConnection {
  override createKnex(): void {
    this.client = this.createKnexClient(HubLibSqlDialect as never);
    this.connected = true;
  }
}

/** The libsql driver with {@link HubLibSqlDialect} and {@link HubLibSqlPlatform}: what the hub opens SQLite files with. */
export class HubLibSqlDriver extends AbstractSqlDriver<HubLibSqlConnection, HubLibSqlPlatform> {
  constructor(config: Configuration) {
    super(config, new HubLibSqlPlatform(), HubLibSqlConnection, ['knex', 'libsql']);
  }
}
