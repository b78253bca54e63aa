import { GraphQLError } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds, freshTarget } from '../../../test/support/databases.js';
import { openDatabase, type HubDatabase } from './db.js';
import { uniqueViolationConflict, violatedUniqueKey } from './errors.js';
import { createLogger } from './log.js';
import { kitMigration } from './migrations/kit-tables.migration.js';
import { ProcessedEvent } from './outbox/processed-event.entity.js';
import { KIT_ENTITIES } from './subgraph.js';

describe.each(databaseKinds)('unique-key violations on %s', (kind) => {
  let db: HubDatabase;
  let dispose: () => Promise<void>;

  beforeAll(async () => {
    const fresh = freshTarget(kind, 'errors');
    dispose = fresh.dispose;
    db = await openDatabase({
      target: fresh.target,
      entities: KIT_ENTITIES,
      migrations: [kitMigration],
      log: createLogger('test', 'silent'),
    });
  });
  afterAll(async () => {
    await db.close();
    await dispose();
  });

  /** The error the database raises for a second row with the same key. */
  async function duplicateError(): Promise<unknown> {
    const row = { consumer: 'c', eventId: '22222222-2222-4222-8222-222222222222' };
    const insert = () =>
      db.orm.em.fork().insert(ProcessedEvent, { ...row, processedAt: new Date() });
    await insert().catch(() => undefined);
    return insert().then(
      () => null,
      (error: unknown) => error,
    );
  }

  it('names the key the database refused, also through a GraphQLError, never the values', async () => {
    const error = await duplicateError();
    const key = violatedUniqueKey(error);
    expect(key).toMatch(/processed_event/);
    expect(key).not.toContain('2222');
    const wrapped = new GraphQLError('wrapped', { originalError: error as Error });
    expect(violatedUniqueKey(wrapped)).toBe(key);

    const conflict = uniqueViolationConflict(key!);
    expect(conflict.extensions).toMatchObject({ code: 'CONFLICT', constraint: key });
    expect(conflict.message).toContain(key!);
  });

  it('leaves every other error alone', async () => {
    const other = await db.orm.em
      .fork()
      .getConnection()
      .execute('select * from no_such_table')
      .then(
        () => null,
        (error: unknown) => error,
      );
    expect(other).toBeInstanceOf(Error);
    expect(violatedUniqueKey(other)).toBeNull();
    expect(violatedUniqueKey(new Error('UNIQUE constraint failed: x.y'))).toBeNull();
  });
});
