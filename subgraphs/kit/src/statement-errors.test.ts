import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds, openKitDatabase } from '../../../test/support/databases.js';
import { type HubDatabase } from './db.js';
import { selectRows } from './loaders.js';
import { createLogger } from './log.js';
import { ProcessedEvent } from './outbox/processed-event.entity.js';
import { withoutValues } from './statement-errors.js';

/** A child's details, as they might be a statement's values. */
const CHILD = 'Jordan Smith 2019-04-01';
const EVENT = '33333333-3333-4333-8333-333333333333';
const OTHER_EVENT = '44444444-4444-4444-8444-444444444444';

/** The line the hub's logger writes for `error`, as a subgraph logs an unexpected error. */
function loggedLine(error: unknown): string {
  let line = '';
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      line += chunk.toString();
      done();
    },
  });
  // pino writes synchronously to a stream of its own making only; this one answers at once.
  createLogger('test', 'info', destination).error({ err: error }, 'unexpected error');
  return line;
}

const refused = (run: Promise<unknown>): Promise<Error> =>
  run.then(
    () => {
      throw new Error('the statement was not refused');
    },
    (error: Error) => error,
  );

describe.each(databaseKinds)('a statement %s refuses', (kind) => {
  let db: HubDatabase;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ db, close } = await openKitDatabase(kind, 'statement-errors'));
    await db.orm.em.fork().insert(ProcessedEvent, {
      consumer: CHILD,
      eventId: EVENT,
      processedAt: new Date(),
    });
  });
  afterAll(() => close());

  it('names its SQL and the reason in the log, never its values', async () => {
    // The ORM's own statement (a unique key; PostgreSQL's detail quotes the key's values).
    const clash = await refused(
      db.orm.em.fork().insert(ProcessedEvent, {
        consumer: CHILD,
        eventId: EVENT,
        processedAt: new Date(),
      }),
    );
    expect(clash.name).toBe('UniqueConstraintViolationException');
    expect(clash.message).toMatch(/^insert into .*processed_event.* values \(\?, \?, \?\)/);
    expect(clash.message).toMatch(/unique/i);

    // A statement given to `execute` (a not-null column; PostgreSQL's detail quotes the row).
    const missing = await refused(
      db.orm.em
        .fork()
        .getConnection()
        .execute(
          'insert into processed_event (consumer, event_id, processed_at) values (?, ?, ?)',
          [CHILD, OTHER_EVENT, null],
          'run',
        ),
    );
    expect(missing.message).toMatch(/^insert into processed_event .* values \(\?, \?, \?\) - /);
    expect(missing.message).toMatch(/not.null/i);

    // `selectRows` through knex's `raw` (on SQLite, SQL with knex's `??` goes that way).
    const unknown = await refused(
      selectRows(
        db.orm.em.fork(),
        'select ?? from processed_event where consumer = ? and no_such_column = 1',
        ['event_id', CHILD],
      ),
    );
    expect(unknown.message).toMatch(/^select \?\? from processed_event where consumer = \? /);
    expect(unknown.message).toMatch(/no_such_column/);

    const refusedErrors = [clash, missing, unknown];
    if (kind === 'postgres') {
      // PostgreSQL quotes a value it cannot read as the column's type in the message itself,
      // the value's own quotes unescaped.
      const malformed = await refused(
        selectRows(db.orm.em.fork(), 'select * from processed_event where event_id = ?', [
          'Jordan "JJ" Smith',
        ]),
      );
      expect(malformed.message).toBe(
        'select * from processed_event where event_id = ? - invalid input syntax for type uuid: "…"',
      );
      refusedErrors.push(malformed);
    }
    for (const error of refusedErrors) {
      const line = loggedLine(error);
      expect(line).toContain('processed_event');
      expect(line).not.toContain('Jordan');
      expect(line).not.toContain('JJ');
      expect(line).not.toContain(EVENT);
      expect(line).not.toContain(OTHER_EVENT);
    }
  });

  it('leaves an error that did not come from the database as it is', () => {
    const error = new Error(`select ${CHILD}`);
    expect(withoutValues(error, 'select ?').message).toBe(`select ${CHILD}`);
  });
});
