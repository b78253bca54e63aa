import { randomUUID } from 'node:crypto';
import type { SqlEntityManager } from '@mikro-orm/knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds, openKitDatabase } from '../../../test/support/databases.js';
import type { HubDatabase } from './db.js';
import { AuditEntry } from './audit/audit-entry.entity.js';
import { insertRows } from './insert-rows.js';
import { OutboxEvent } from './outbox/outbox-event.entity.js';
import { ProcessedEvent } from './outbox/processed-event.entity.js';

describe.each(databaseKinds)('insertRows on %s', (kind) => {
  let db: HubDatabase;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ db, close } = await openKitDatabase(kind, 'insert-rows'));
  });
  afterAll(() => close());

  const event = (type: string, publishedAt: Date | null) => ({
    id: randomUUID(),
    type,
    aggregateId: 'case-1',
    payload: { caseId: 'case-1', agencyIds: ['a', 'b'], count: 2, nested: { ok: true } },
    occurredAt: new Date('2026-03-02T09:30:00.123Z'),
    publishedAt,
    attempts: 3,
  });

  it('writes what the ORM’s own insert writes, values and types alike', async () => {
    const published = new Date('2026-03-02T10:00:00.456Z');
    const byOrm = [event('ByOrm', null), event('ByOrm', published)];
    const byRows = [event('ByRows', null), event('ByRows', published)];
    await db.orm.em.fork().insertMany(OutboxEvent, byOrm);
    await insertRows(db.orm.em.fork(), OutboxEvent, byRows);

    const read = async (type: string) =>
      (await db.orm.em.fork().find(OutboxEvent, { type }, { orderBy: { seq: 'asc' } })).map(
        ({ seq, id: _id, type: _type, ...rest }) => ({
          seqIsNumber: typeof seq === 'number',
          ...rest,
        }),
      );
    const fromRows = await read('ByRows');
    expect(fromRows).toHaveLength(2);
    expect(fromRows).toEqual(await read('ByOrm'));
    expect(fromRows[1]).toMatchObject({ publishedAt: published, attempts: 3, seqIsNumber: true });
    if (kind === 'sqlite') {
      const types = (type: string) =>
        (db.orm.em as SqlEntityManager).execute(
          `select typeof(payload) as p, typeof(occurred_at) as o, typeof(published_at) as u,
             typeof(attempts) as a, payload, occurred_at from outbox_event where type = ? order by seq`,
          [type],
        );
      expect(await types('ByRows')).toEqual(await types('ByOrm'));
    }
  });

  it('writes a JSON array as the ORM does (through the property’s type)', async () => {
    const entry = (correlationId: string) => ({
      at: new Date('2026-03-02T09:30:00.123Z'),
      actorKind: 'practitioner',
      actorId: 'p-1',
      agencyId: null,
      ip: '127.0.0.1',
      correlationId,
      action: 'case.read',
      entityType: 'Case',
      entityIds: ['case-1', 'ingest:health'],
      prevHash: 'x',
      hash: 'y',
    });
    await db.orm.em.fork().insertMany(AuditEntry, [entry('by-orm')]);
    await insertRows(db.orm.em.fork(), AuditEntry, [entry('by-rows')]);
    const read = async (correlationId: string) => {
      const {
        seq: _seq,
        correlationId: _id,
        ...rest
      } = await db.orm.em.fork().findOneOrFail(AuditEntry, { correlationId });
      return rest;
    };
    const fromRows = await read('by-rows');
    expect(fromRows.entityIds).toEqual(['case-1', 'ingest:health']);
    expect(fromRows).toEqual(await read('by-orm'));
  });

  it('writes many rows in one statement, in the transaction it is given', async () => {
    const before = db.queries.count;
    const markers = ['a', 'b', 'c'].map((consumer) => ({
      consumer,
      eventId: randomUUID(),
      processedAt: new Date(),
    }));
    await insertRows(db.orm.em.fork(), ProcessedEvent, markers);
    expect(db.queries.count - before).toBe(1);
    const stored = await db.orm.em.fork().find(ProcessedEvent, {
      eventId: { $in: markers.map((m) => m.eventId) },
    });
    expect(stored.map((m) => m.consumer).sort()).toEqual(['a', 'b', 'c']);

    const rolledBack = randomUUID();
    await expect(
      db.orm.em.fork().transactional(async (em) => {
        await insertRows(em, ProcessedEvent, [
          { consumer: 'x', eventId: rolledBack, processedAt: new Date() },
        ]);
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(await db.orm.em.fork().count(ProcessedEvent, { eventId: rolledBack })).toBe(0);
  });

  it('refuses a row without a required value, naming it, and writes nothing', async () => {
    const eventId = randomUUID();
    await expect(
      insertRows(db.orm.em.fork(), ProcessedEvent, [
        { consumer: 'y', eventId, processedAt: new Date() },
        { consumer: 'z', eventId },
      ]),
    ).rejects.toThrow('ProcessedEvent.processedAt is required');
    expect(await db.orm.em.fork().count(ProcessedEvent, { eventId })).toBe(0);
  });
});
