import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import type { SqlEntityManager } from '@mikro-orm/knex';
import Database from 'libsql';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { freshTarget, openKitDatabase } from '../../../test/support/databases.js';
import { inSavepoint, openDatabase, type HubDatabase } from './db.js';
import { insertRows } from './insert-rows.js';
import { selectRows } from './loaders.js';
import { createLogger } from './log.js';
import { kitMigration } from './migrations/kit-tables.migration.js';
import { OutboxEvent } from './outbox/outbox-event.entity.js';
import { ProcessedEvent } from './outbox/processed-event.entity.js';
import { SQLITE_STATEMENT_CACHE_SIZE } from './sqlite-driver.js';
import { KIT_ENTITIES } from './subgraph.js';

const sql = (db: HubDatabase, query: string, params: unknown[] = []) =>
  db.orm.em.fork().getConnection().execute<Record<string, unknown>[]>(query, params);

const pragmas = async (db: HubDatabase) => ({
  journalMode: (await sql(db, 'pragma journal_mode'))[0]!.journal_mode,
  busyTimeout: (await sql(db, 'pragma busy_timeout'))[0]!.timeout,
  foreignKeys: (await sql(db, 'pragma foreign_keys'))[0]!.foreign_keys,
});

const EXPECTED = { journalMode: 'wal', busyTimeout: 5000, foreignKeys: 1 };

describe('SQLite connections (the hub libsql driver)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('keeps its connection and its pragmas after ten seconds, when the stock dialect reopened it', async () => {
    const { db, close } = await openKitDatabase('sqlite', 'sqlite-keep');
    try {
      expect(await pragmas(db)).toEqual(EXPECTED);
      // A temporary table lives as long as the connection that made it.
      await sql(db, 'create temp table still_here (n integer)');
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(Date.now() + 60_000);
      expect(await sql(db, 'select count(*) as n from temp.still_here')).toEqual([{ n: 0 }]);
      expect(await pragmas(db)).toEqual(EXPECTED);
    } finally {
      vi.useRealTimers();
      await close();
    }
  });

  it('sets the pragmas on every connection it opens, not only the first', async () => {
    const { db, close } = await openKitDatabase('sqlite', 'sqlite-reopen');
    try {
      await db.orm.close(true);
      await db.orm.connect();
      expect(await pragmas(db)).toEqual(EXPECTED);
    } finally {
      await close();
    }
  });

  it('waits for a lock another process holds when it opens the file, rather than failing at once', async () => {
    const fresh = freshTarget('sqlite', 'sqlite-locked');
    if (fresh.target.kind !== 'sqlite') throw new Error('expected a SQLite target');
    // Another process makes the file in a rollback journal (as the bench's loader leaves it),
    // takes its lock outright, writes a row, and lets go after 700 ms.
    const holder = spawn(
      process.execPath,
      [
        '-e',
        `const Database = require(${JSON.stringify(createRequire(import.meta.url).resolve('libsql'))});
         const db = new Database(process.argv[1]);
         db.exec('create table held (n integer)');
         db.exec('begin exclusive');
         db.exec('insert into held (n) values (1)');
         process.stdout.write('locked');
         setTimeout(() => { db.exec('commit'); db.close(); }, 700);`,
        fresh.target.file,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let db: HubDatabase | undefined;
    try {
      await Promise.race([
        once(holder.stdout!, 'data'),
        once(holder, 'exit').then(([code]) => {
          throw new Error(`the process meant to hold the lock exited (${code})`);
        }),
      ]);
      // The first connection's pragmas (WAL among them) wait out the lock, then it migrates.
      db = await openDatabase({
        target: fresh.target,
        entities: KIT_ENTITIES,
        migrations: [kitMigration],
        log: createLogger('test', 'silent'),
      });
      expect(await sql(db, 'select n from held')).toEqual([{ n: 1 }]);
      expect(await pragmas(db)).toEqual(EXPECTED);
    } finally {
      holder.kill();
      await db?.close();
      await fresh.dispose();
    }
  });

  it('prepares a bound statement once per connection, and runs it with each call’s values', async () => {
    const { db, close } = await openKitDatabase('sqlite', 'sqlite-statements');
    const prepare = vi.spyOn(Database.prototype, 'prepare');
    try {
      // A new connection, opened with the spy in place.
      await db.orm.close(true);
      await db.orm.connect();
      const prepared = (text: string) => prepare.mock.calls.filter(([sql]) => sql === text).length;
      const select = 'select ? as n';
      for (const n of [1, 2, 3]) {
        expect(await selectRows(db.orm.em.fork(), select, [n])).toEqual([{ n }]);
      }
      expect(prepared(select)).toBe(1);

      // A run that fails leaves the statement fit for the next.
      const knex = (db.orm.em as SqlEntityManager).getConnection().getKnex();
      const insert =
        'insert into outbox_event (id, type, aggregate_id, payload, occurred_at, attempts) values (?, ?, ?, ?, ?, ?)';
      const row = (id: string) => [id, 'T', 'a', '{}', 0, 0];
      await knex.raw(insert, row('one'));
      await expect(knex.raw(insert, row('one'))).rejects.toThrow(/unique/i);
      await knex.raw(insert, row('two'));
      expect(await sql(db, 'select id from outbox_event order by id')).toEqual([
        { id: 'one' },
        { id: 'two' },
      ]);
      expect(prepared(insert)).toBe(1);

      // The cache is bounded: the least recently used statement is dropped, and prepared again.
      for (let i = 0; i < SQLITE_STATEMENT_CACHE_SIZE; i += 1) await sql(db, `select ${i} as n`);
      expect(await selectRows(db.orm.em.fork(), select, [4])).toEqual([{ n: 4 }]);
      expect(prepared(select)).toBe(2);
    } finally {
      prepare.mockRestore();
      await close();
    }
  });

  it('runs bound statements on libsql itself, in the caller’s transaction and savepoints', async () => {
    const { db, close } = await openKitDatabase('sqlite', 'sqlite-direct');
    const knex = (db.orm.em as SqlEntityManager).getConnection().getKnex();
    const throughKnex: string[] = [];
    knex.client.on('query', (query: { sql: string }) => throughKnex.push(query.sql));
    const marker = (eventId: string) => ({ consumer: 'c', eventId, processedAt: new Date() });
    const ids = (em: SqlEntityManager | typeof db.orm.em) =>
      selectRows<{ event_id: string }>(
        em,
        'select event_id from processed_event where consumer = ? order by event_id',
        ['c'],
      ).then((rows) => rows.map((row) => row.event_id));
    try {
      let ended: unknown;
      await expect(
        db.orm.em.fork().transactional(async (em) => {
          ended = em.getTransactionContext();
          await insertRows(em, ProcessedEvent, [marker('a')]);
          await inSavepoint(em, 'kept', (tx) => insertRows(tx, ProcessedEvent, [marker('b')]));
          await expect(
            inSavepoint(em, 'dropped', async (tx) => {
              await insertRows(tx, ProcessedEvent, [marker('c')]);
              expect(await ids(tx)).toEqual(['a', 'b', 'c']);
              throw new Error('refused');
            }),
          ).rejects.toThrow('refused');
          // The transaction sees its own writes, less the savepoint rolled back.
          expect(await ids(em)).toEqual(['a', 'b']);
          throw new Error('roll it all back');
        }),
      ).rejects.toThrow('roll it all back');
      expect(await ids(db.orm.em.fork())).toEqual([]);
      // Not one of them went through knex's query runner; the transaction's begin and end did.
      expect(throughKnex.filter((text) => /processed_event|savepoint/i.test(text))).toEqual([]);
      expect(throughKnex.length).toBeGreaterThan(0);

      // SQL with knex's own placeholders (`??`, an identifier) still goes its way, as before.
      expect(
        await selectRows(db.orm.em.fork(), 'select ?? as n from (select 5 as v)', ['v']),
      ).toEqual([{ n: 5 }]);

      // A transaction that has ended refuses a statement, as knex's did.
      const connection = (db.orm.em as SqlEntityManager).getConnection();
      await expect(connection.execute('select ? as n', [1], 'all', ended as never)).rejects.toThrow(
        /transaction has already ended/,
      );

      // A statement the database refuses names itself, not its values (a child's details).
      const insert =
        'insert into processed_event (consumer, event_id, processed_at) values (?, ?, ?)';
      const em = db.orm.em.fork() as SqlEntityManager;
      await em.execute(insert, ['c', 'Jordan Smith 2019-04-01', 0], 'run');
      const clash = await em.execute(insert, ['c', 'Jordan Smith 2019-04-01', 0], 'run').then(
        () => null,
        (error: Error) => error,
      );
      expect(clash?.name).toBe('UniqueConstraintViolationException');
      expect(clash?.message).toContain(insert);
      expect(clash?.message).toMatch(/UNIQUE constraint failed/);
      expect(clash?.message).not.toContain('Jordan');
    } finally {
      await close();
    }
  });

  it('binds the values of the ORM’s statements, storing exactly what its literals stood for', async () => {
    const { db, close } = await openKitDatabase('sqlite', 'sqlite-bound');
    try {
      const connection = (db.orm.em as SqlEntityManager).getConnection();
      const platform = db.orm.em.getPlatform();
      await sql(
        db,
        'create table typed (way text, untyped, t text, i integer, r real, d datetime, b blob)',
      );
      const values: unknown[][] = [
        [5, 5, 5, 5, 5, 5],
        [-3, 'five', 2.5, 0.25, 1.5, 'x'],
        [true, false, true, false, true, false],
        [new Date('2026-03-02T09:30:00.123Z'), '5', null, undefined, 0, Buffer.from('ab')],
      ];
      const insert = 'insert into typed values (?, ?, ?, ?, ?, ?, ?)';
      for (const row of values) {
        await connection.execute(insert, ['bound', ...row], 'run');
        // The same row as MikroORM writes it when it cannot bind: values in the text.
        await connection.execute(platform.formatQuery(insert, ['literal', ...row]), [], 'run');
      }
      const columns = ['untyped', 't', 'i', 'r', 'd', 'b'];
      const read = (way: string) =>
        sql(
          db,
          `select ${columns.map((c) => `typeof(${c}) as ${c}_type, ${c}`).join(', ')} from typed where way = ? order by rowid`,
          [way],
        );
      const bound = await read('bound');
      expect(bound).toHaveLength(values.length);
      expect(bound).toEqual(await read('literal'));
      expect(bound[0]).toMatchObject({ untyped_type: 'integer', t: '5', r_type: 'real' });
      expect(bound[2]).toMatchObject({ untyped: 1, t: '0' });
    } finally {
      await close();
    }
  });

  it('prepares each shape of the ORM’s statements once, whatever the values and savepoints between', async () => {
    const { db, close } = await openKitDatabase('sqlite', 'sqlite-orm-statements');
    const prepare = vi.spyOn(Database.prototype, 'prepare');
    try {
      await db.orm.close(true);
      await db.orm.connect();
      const texts = () => prepare.mock.calls.map(([text]) => String(text));
      const earlier = () => db.orm.em.fork().count(ProcessedEvent, { consumer: 'other' });
      await earlier();
      for (let i = 0; i < 3 * SQLITE_STATEMENT_CACHE_SIZE; i += 1) {
        const eventId = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
        await db.orm.em.fork().transactional(async (em) => {
          // A savepoint per row, as ingest makes one per record.
          await em.transactional(async (inner) => {
            await inner.insert(ProcessedEvent, { consumer: 'c', eventId, processedAt: new Date() });
          });
          const row = await em.findOneOrFail(ProcessedEvent, { consumer: 'c', eventId });
          expect(row.eventId).toBe(eventId);
        });
      }
      const inserts = texts().filter((text) => /^insert into .processed_event/.test(text));
      const selects = texts().filter((text) =>
        /^select (?!count).* from .processed_event/.test(text),
      );
      expect(inserts).toHaveLength(1);
      expect(selects).toHaveLength(1);
      expect(inserts[0]).not.toContain('00000000-0000');
      // Hundreds of savepoints later, a statement used before them is still prepared.
      await earlier();
      expect(texts().filter((text) => /^select count/.test(text))).toHaveLength(1);
      expect(await sql(db, 'select count(*) as n from processed_event')).toEqual([
        { n: 3 * SQLITE_STATEMENT_CACHE_SIZE },
      ]);
    } finally {
      prepare.mockRestore();
      await close();
    }
  });

  it('writes nothing when an EntityManager that only read dates flushes, and a changed date as its timestamp', async () => {
    const { db, close } = await openKitDatabase('sqlite', 'sqlite-dates');
    try {
      const occurredAt = new Date('2026-03-02T09:30:00.123Z');
      const em = db.orm.em.fork();
      em.create(OutboxEvent, {
        id: '00000000-0000-4000-8000-000000000001',
        type: 'Dated',
        aggregateId: 'a',
        payload: {},
        occurredAt,
        publishedAt: null,
        attempts: 0,
      });
      await em.flush();
      const stored = async () =>
        (
          await sql(
            db,
            'select occurred_at, typeof(occurred_at) as t, published_at from outbox_event',
          )
        )[0];
      expect(await stored()).toEqual({
        occurred_at: occurredAt.getTime(),
        t: 'integer',
        published_at: null,
      });

      // Read, then flush: nothing to write (it was an update of every date read, with the same value).
      const reader = db.orm.em.fork();
      const [event] = await reader.find(OutboxEvent, {});
      expect(event!.occurredAt).toEqual(occurredAt);
      const before = db.queries.count;
      await reader.flush();
      await reader.transactional(async () => undefined);
      expect(db.queries.statements.slice(-3).filter((s) => /^update/i.test(s))).toEqual([]);
      expect(db.queries.count - before).toBe(2); // the transaction's begin and commit

      // A date that did change is written, as its milliseconds.
      const publishedAt = new Date('2026-03-02T09:31:00.456Z');
      event!.publishedAt = publishedAt;
      await reader.flush();
      expect(await stored()).toMatchObject({ published_at: publishedAt.getTime() });
      const again = await db.orm.em.fork().findOneOrFail(OutboxEvent, { id: event!.id });
      expect([again.occurredAt, again.publishedAt]).toEqual([occurredAt, publishedAt]);
    } finally {
      await close();
    }
  });
});
