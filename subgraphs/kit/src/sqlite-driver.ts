import type { Configuration } from '@mikro-orm/core';
import { AbstractSqlDriver, LibSqlKnexDialect } from '@mikro-orm/knex';
import { LibSqlConnection, LibSqlPlatform } from '@mikro-orm/libsql';

/** Every connection to a subgraph's SQLite file is opened with these. */
export const SQLITE_CONNECTION_PRAGMAS = [
  // WAL lets readers proceed during a write (it is kept in the file; setting it again is free).
  'journal_mode = wal',
  // A second process (the CLI) holding the write lock makes a write wait, not fail at once.
  'busy_timeout = 5000',
  'foreign_keys = on',
] as const;

/**
 * MikroORM's libsql dialect, for local files. The stock dialect reports a connection older than
 * 10 s as invalid (meant for remote libsql servers), so the pool closed and reopened the file
 * every 10 s, and the new connection had SQLite's defaults: the pragmas had been set once, on the
 * first, so after ten seconds the hub ran with a busy timeout of 0. This one sets the pragmas on
 * every connection it opens and keeps a connection as long as the pool does.
 */
class HubLibSqlDialect extends LibSqlKnexDialect {
  override async acquireRawConnection(): Promise<{ exec(sql: string): unknown }> {
    const connection = (await super.acquireRawConnection()) as { exec(sql: string): unknown };
    for (const pragma of SQLITE_CONNECTION_PRAGMAS) connection.exec(`pragma ${pragma}`);
    return connection;
  }

  override validateConnection(): boolean {
    return true;
  }
}

class HubLibSqlConnection extends LibSqlConnection {
  override createKnex(): void {
    this.client = this.createKnexClient(HubLibSqlDialect as never);
    this.connected = true;
  }
}

/** The libsql driver with {@link HubLibSqlDialect}: what the hub opens SQLite files with. */
export class HubLibSqlDriver extends AbstractSqlDriver<HubLibSqlConnection, LibSqlPlatform> {
  constructor(config: Configuration) {
    super(config, new LibSqlPlatform(), HubLibSqlConnection, ['knex', 'libsql']);
  }
}
