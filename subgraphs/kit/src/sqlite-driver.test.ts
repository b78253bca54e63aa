import { afterEach, describe, expect, it, vi } from 'vitest';
import { openKitDatabase } from '../../../test/support/databases.js';
import type { HubDatabase } from './db.js';

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
});
