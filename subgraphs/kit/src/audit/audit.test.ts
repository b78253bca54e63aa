import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../log.js';
import { kitMigration } from '../migrations/kit-tables.migration.js';
import { KIT_ENTITIES } from '../subgraph.js';
import { databaseKinds, openKitDatabase } from '../../../../test/support/databases.js';
import { openDatabase, type HubDatabase } from '../db.js';
import type { Actor } from '../actor.js';
import { AuditEntry } from './audit-entry.entity.js';
import { appendAudit, appendAuditEntries, hashAuditEntry, verifyAuditChain } from './audit.js';
import { appendAuditEntriesDirect } from './audit-direct.js';
import { AuditWriter } from './audit-writer.js';

const actor: Actor = {
  kind: 'practitioner',
  id: 'p-1',
  roles: [],
  agencyId: 'a-1',
  agencyKind: null,
  boardId: 'b-1',
};
const meta = { correlationId: 'c-1', ip: '127.0.0.1' };

describe.each(databaseKinds)('audit log on %s', (kind) => {
  let db: HubDatabase;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ db, close } = await openKitDatabase(kind, 'audit'));
  });
  afterAll(() => close());

  it('chains entries, including concurrent ones, and verifies intact', async () => {
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        appendAudit(db.orm.em.fork(), actor, meta, {
          action: 'case.read',
          entityType: 'Case',
          entityIds: [`c-${i}`],
        }),
      ),
    );
    expect(await verifyAuditChain(db.orm.em.fork())).toEqual({ ok: true, entries: 10 });
  });

  it('finds an entry altered in the database', async () => {
    const connection = db.orm.em.getConnection();
    await connection.execute(`update audit_entry set actor_id = 'someone-else' where seq = 4`);
    const result = await verifyAuditChain(db.orm.em.fork(), 3);
    expect(result).toMatchObject({ ok: false, brokenAt: 4 });
  });

  it('finds an entry removed from the middle of the chain', async () => {
    const connection = db.orm.em.getConnection();
    await connection.execute(`update audit_entry set actor_id = 'p-1' where seq = 4`);
    expect((await verifyAuditChain(db.orm.em.fork())).ok).toBe(true);
    await connection.execute(`delete from audit_entry where seq = 7`);
    expect(await verifyAuditChain(db.orm.em.fork())).toMatchObject({ ok: false, brokenAt: 8 });
  });

  it('group-commits reads: every entry chained, in the order appended, those of one event-loop turn in one transaction', async () => {
    await db.orm.em.getConnection().execute('delete from audit_entry');
    const writer = new AuditWriter(db);
    db.queries.reset();
    await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        writer.append(
          actor,
          { correlationId: `r-${i}`, ip: null },
          {
            action: 'case.read',
            entityType: 'Case',
            entityIds: [`c-${i}`],
          },
        ),
      ),
    );
    expect(await verifyAuditChain(db.orm.em.fork())).toEqual({ ok: true, entries: 200 });
    const written = await db.orm.em.fork().find(AuditEntry, {}, { orderBy: { seq: 'asc' } });
    expect(written.map((entry) => entry.correlationId)).toEqual(
      Array.from({ length: 200 }, (_, i) => `r-${i}`),
    );
    // One read of the chain's head per transaction: appended in one turn of the event loop, the
    // 200 went in one (with the first written at once, it went alone, then the rest).
    const headReads = db.queries.statements.filter((sql) => /order by .*seq.* desc/i.test(sql));
    expect(headReads).toHaveLength(1);
  });

  it('fails only the entry the database refuses, and keeps the chain whole', async () => {
    await db.orm.em.getConnection().execute('delete from audit_entry');
    const writer = new AuditWriter(db);
    const nobody = { ...actor, id: null as unknown as string };
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) =>
        writer.append(
          i === 3 ? nobody : actor,
          { correlationId: `f-${i}`, ip: null },
          {
            action: 'case.read',
            entityType: 'Case',
            entityIds: [`c-${i}`],
          },
        ),
      ),
    );
    expect(results.map((result) => result.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
    ]);
    await writer.flushed();
    expect(await verifyAuditChain(db.orm.em.fork())).toEqual({ ok: true, entries: 5 });
  });

  it('writes through the pool what the ORM writes: one chain, whichever way each entry went', async () => {
    await db.orm.em.getConnection().execute('delete from audit_entry');
    const appended = Array.from({ length: 8 }, (_, i) => ({
      actor: i % 3 === 0 ? { ...actor, agencyId: null } : { ...actor, id: `p-${i}` },
      meta: { correlationId: `d-${i}`, ip: i % 2 ? null : `10.0.0.${i}` },
      // Milliseconds that a lossy conversion would drop, quotes and non-ASCII that quoting must keep.
      event: { action: 'case.read', entityType: 'Case', entityIds: [`c-${i}`, `o'brien-é-${i}`] },
      at: new Date(Date.UTC(2026, 11, 6, 10, 0, i, 7 * i + 1)),
    }));
    for (const [i, entry] of appended.entries()) {
      if (i % 2) await appendAuditEntriesDirect(db, [entry]);
      else if (i % 4) await appendAuditEntries(db.orm.em.fork(), [entry]);
      // Inside a caller's transaction, as a change's entry is written.
      else await db.orm.em.fork().transactional((tx) => appendAuditEntries(tx, [entry]));
    }
    await appendAuditEntriesDirect(db, appended.slice(0, 3));
    expect(await verifyAuditChain(db.orm.em.fork())).toEqual({ ok: true, entries: 11 });
    const written = await db.orm.em.fork().find(AuditEntry, {}, { orderBy: { seq: 'asc' } });
    const expected = [...appended, ...appended.slice(0, 3)];
    expect(
      written.map((row) => ({
        at: row.at.toISOString(),
        actorId: row.actorId,
        agencyId: row.agencyId,
        ip: row.ip,
        correlationId: row.correlationId,
        entityIds: row.entityIds,
      })),
    ).toEqual(
      expected.map(({ actor: a, meta: m, event, at }) => ({
        at: at.toISOString(),
        actorId: a.id,
        agencyId: a.agencyId,
        ip: m.ip,
        correlationId: m.correlationId,
        entityIds: event.entityIds,
      })),
    );
    for (const row of written) expect(hashAuditEntry(row)).toBe(row.hash);
  });

  it("commits a change's entry with the change, and drops it when the change rolls back", async () => {
    await db.orm.em.getConnection().execute('delete from audit_entry');
    const entry = (id: string) => ({ action: 'case.update', entityType: 'Case', entityIds: [id] });
    await db.orm.em.fork().transactional(async (tx) => {
      await appendAudit(tx, actor, meta, entry('kept-1'));
      await appendAudit(tx, actor, meta, entry('kept-2'));
    });
    await expect(
      db.orm.em.fork().transactional(async (tx) => {
        await appendAudit(tx, actor, meta, entry('dropped'));
        throw new Error('the change is refused after its entry was written');
      }),
    ).rejects.toThrow('refused');
    await db.orm.em.fork().transactional((tx) => appendAudit(tx, actor, meta, entry('kept-3')));
    const written = await db.orm.em.fork().find(AuditEntry, {}, { orderBy: { seq: 'asc' } });
    expect(written.map((row) => row.entityIds[0])).toEqual(['kept-1', 'kept-2', 'kept-3']);
    expect(await verifyAuditChain(db.orm.em.fork())).toEqual({ ok: true, entries: 3 });
  });

  it('keeps one chain when two processes append reads to it at once', async () => {
    await db.orm.em.getConnection().execute('delete from audit_entry');
    // A second process's pool on the same database, as a replica of the subgraph would have.
    const other = await openDatabase({
      target: db.target,
      entities: KIT_ENTITIES,
      migrations: [kitMigration],
      log: createLogger('test', 'silent'),
    });
    try {
      const writers = [new AuditWriter(db), new AuditWriter(other)];
      await Promise.all(
        Array.from({ length: 120 }, (_, i) =>
          writers[i % 2]!.append(
            actor,
            { correlationId: `two-${i}`, ip: null },
            { action: 'case.read', entityType: 'Case', entityIds: [`c-${i}`] },
          ),
        ),
      );
      expect(await verifyAuditChain(db.orm.em.fork())).toEqual({ ok: true, entries: 120 });
    } finally {
      await other.close();
    }
  });
});
