import { Utils, type Configuration } from '@mikro-orm/core';
import { AbstractSqlDriver, PostgreSqlKnexDialect, type Knex } from '@mikro-orm/knex';
import { PostgreSqlConnection, PostgreSqlPlatform } from '@mikro-orm/postgresql';
import { keepDriverMessage, withoutValues } from './statement-errors.js';

/** knex's PostgreSQL client, as much of it as the dialect below overrides. */
interface PgQuery {
  _query(connection: unknown, query: unknown): Promise<unknown>;
}

/**
 * MikroORM's PostgreSQL dialect, keeping a refused statement's own message before knex writes
 * the statement, values and all, into it (statement-errors.ts).
 */
class HubPostgreSqlDialect extends PostgreSqlKnexDialect {
  _query(connection: unknown, query: unknown): Promise<unknown> {
    return (PostgreSqlKnexDialect.prototype as unknown as PgQuery)._query
      .call(this, connection, query)
      .catch((error: unknown) => {
        keepDriverMessage(error);
        throw error;
      });
  }
}

/**
 * MikroORM's PostgreSQL connection, whose refused statements name their SQL with placeholders
 * rather than the values MikroORM writes into it as literals (statement-errors.ts).
 */
class HubPostgreSqlConnection extends PostgreSqlConnection {
  override createKnex(): void {
    this.client = this.createKnexClient(HubPostgreSqlDialect as never);
    (this.client.client as unknown as { ormConfig: Configuration }).ormConfig = this.config;
    this.connected = true;
  }

  override async execute<T>(...args: Parameters<PostgreSqlConnection['execute']>): Promise<T> {
    try {
      return await super.execute<never>(...args);
    } catch (error) {
      const [queryOrKnex] = args;
      const sql = Utils.isObject<Knex.QueryBuilder | Knex.Raw>(queryOrKnex)
        ? queryOrKnex.toSQL().sql
        : queryOrKnex;
      throw withoutValues(error, sql);
    }
  }
}

/** MikroORM's PostgreSQL driver with {@link HubPostgreSqlConnection}: what the hub opens PostgreSQL with. */
export class HubPostgreSqlDriver extends AbstractSqlDriver<
  HubPostgreSqlConnection,
  PostgreSqlPlatform
> {
  constructor(config: Configuration) {
    super(config, new PostgreSqlPlatform(), HubPostgreSqlConnection, ['knex', 'pg']);
  }
}
