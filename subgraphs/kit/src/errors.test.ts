import { GraphQLError } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds, openKitDatabase } from '../../../test/support/databases.js';
import { type HubDatabase } from './db.js';
import { uniqueViolationConflict, violatedUniqueKey } from './errors.js';
import { ProcessedEvent } from './outbox/processed-event.entity.js';

describe.each(databaseKinds)('unique-key violations on %s', (kind) => {
  let db: HubDatabase;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ db, close } = await openKitDatabase(kind, 'errors'));
  });
  afterAll(() => close());

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
