import { randomUUID } from 'node:crypto';
import { AgencyKind, type CanonicalRecord } from '@hub/schema';
import type { EntityManager } from '@mikro-orm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds, freshTarget } from '../../../../test/support/databases.js';
import type { Actor } from '../actor.js';
import { appendAudit } from '../audit/audit.js';
import { AuditEntry } from '../audit/audit-entry.entity.js';
import { HubMigration, openDatabase, type HubDatabase } from '../db.js';
import { PolicyViolationError } from '../errors.js';
import { createLogger } from '../log.js';
import { kitMigration } from '../migrations/kit-tables.migration.js';
import { OutboxEvent } from '../outbox/outbox-event.entity.js';
import { recordEvent } from '../outbox/outbox.js';
import { KIT_ENTITIES } from '../subgraph.js';
import {
  applyIngestBatch,
  IngestRejection,
  ingestApplyRequestSchema,
  rejectionFrom,
  resolveAgencyRef,
  type ApplyRecord,
  type IngestItem,
} from './ingest-apply.js';
import { IngestLedgerEntry } from './ingest-ledger.entity.js';

/** The ledger table as the subgraphs' own migrations create it. */
class TestLedgerMigration extends HubMigration {
  override async up(): Promise<void> {
    this.addSchema(
      this.schemaBuilder.createTable('ingest_ledger', (t) => {
        t.uuid('id').primary();
        t.uuid('agency_id').notNullable();
        t.string('plugin', 100).notNullable();
        t.string('kind', 40).notNullable();
        t.string('source_id', 200).notNullable();
        t.string('source_version', 200).notNullable();
        t.uuid('entity_id').notNullable();
        t.datetime('first_applied_at', { useTz: true }).notNullable();
        t.datetime('last_applied_at', { useTz: true }).notNullable();
        t.unique(['agency_id', 'plugin', 'kind', 'source_id']);
      }),
    );
  }
}

const actor: Actor = {
  kind: 'practitioner',
  id: randomUUID(),
  roles: [],
  agencyId: randomUUID(),
  agencyKind: null,
  boardId: randomUUID(),
};
const meta = { correlationId: 'ingest-test', ip: null };

function child(sourceId: string, sourceVersion = '1'): IngestItem {
  const record: CanonicalRecord = {
    kind: 'child',
    sourceId,
    sourceVersion,
    child: { name: `Child ${sourceId}`, identifiers: [] },
  };
  return { index: 0, plugin: 'test', record };
}

describe.each(databaseKinds)('applying an ingest batch on %s', (kind) => {
  const fresh = freshTarget(kind, 'ingest');
  let db: HubDatabase;
  const agencyId = actor.agencyId!;

  beforeAll(async () => {
    db = await openDatabase({
      target: fresh.target,
      entities: [...KIT_ENTITIES, IngestLedgerEntry],
      migrations: [
        kitMigration,
        { name: 'Migration_test_ingest_ledger', class: TestLedgerMigration },
      ],
      log: createLogger('test', 'silent'),
    });
  });
  afterAll(async () => {
    await db?.close();
    await fresh.dispose();
  });

  /** Writes an event per record (the "change"), then refuses or fails where the test says. */
  const writer =
    (refuse: Record<string, () => Error>): ApplyRecord =>
    async (tx: EntityManager, item, previous) => {
      const entityId = previous?.entityId ?? randomUUID();
      await recordEvent(tx, 'Applied', entityId, { sourceId: item.record.sourceId });
      await appendAudit(tx, actor, meta, {
        action: 'test.apply',
        entityType: 'Test',
        entityIds: [entityId],
      });
      await tx.flush();
      const failure = refuse[item.record.sourceId];
      if (failure) throw failure();
      return { outcome: previous ? 'updated' : 'created', entityId };
    };
  /** Applies `items` as one batch, each record through `apply`. */
  const runWith = (apply: ApplyRecord, items: IngestItem[], correlationId = randomUUID()) =>
    applyIngestBatch(db.orm.em.fork({ loggerContext: { correlationId } }), items, {
      agencyId,
      kinds: ['child'],
      owner: 'elsewhere',
      now: new Date(),
      audit: (event, tx) => appendAudit(tx, actor, meta, event),
      apply,
    });
  const run = (
    items: IngestItem[],
    refuse: Record<string, () => Error> = {},
    correlationId = randomUUID(),
  ) => runWith(writer(refuse), items, correlationId);
  const count = async (sourceId: string) => {
    const em = db.orm.em.fork();
    const events = await em.find(OutboxEvent, { type: 'Applied' });
    return {
      events: events.filter((e) => e.payload.sourceId === sourceId).length,
      ledger: await em.count(IngestLedgerEntry, { sourceId }),
    };
  };

  it('rolls back a rejected record alone (a savepoint) and commits the others', async () => {
    const outcomes = await run([child('a'), child('b'), child('c')], {
      b: () =>
        new IngestRejection('child.name', 'is not a name', {
          action: 'test.refused',
          entityType: 'Test',
          entityIds: ['b'],
        }),
    });
    expect(outcomes).toEqual([
      { status: 'created' },
      { status: 'rejected', field: 'child.name', message: 'is not a name' },
      { status: 'created' },
    ]);
    expect(await count('a')).toEqual({ events: 1, ledger: 1 });
    expect(await count('b')).toEqual({ events: 0, ledger: 0 });
    expect(await count('c')).toEqual({ events: 1, ledger: 1 });
    // The refusal's audit entry outlives the rolled-back record; the record's own does not.
    const audited = await db.orm.em.fork().find(AuditEntry, { action: 'test.refused' });
    expect(audited.map((entry) => entry.entityIds)).toEqual([['b']]);
  });

  it('answers unchanged for a version already applied and writes nothing', async () => {
    const correlationId = randomUUID();
    expect(await run([child('a'), child('c')], {}, correlationId)).toEqual([
      { status: 'unchanged' },
      { status: 'unchanged' },
    ]);
    expect(await count('a')).toEqual({ events: 1, ledger: 1 });
    // One read of the ledger for the batch and no savepoint: an export sent again is cheap.
    const statements = db.queries.forRequest(correlationId);
    expect(statements.filter((sql) => /savepoint/i.test(sql))).toEqual([]);
    expect(statements.filter((sql) => sql.includes('ingest_ledger'))).toHaveLength(1);
  });

  it('reads the ledger once for a batch, whatever its size, and writes one entry a new record', async () => {
    const correlationId = randomUUID();
    const items = Array.from({ length: 40 }, (_, i) => child(`many-${i}`));
    const outcomes = await run(items, {}, correlationId);
    expect(outcomes.every((outcome) => outcome.status === 'created')).toBe(true);
    const ledgerStatements = db.queries
      .forRequest(correlationId)
      .filter((sql) => sql.includes('ingest_ledger'));
    expect(ledgerStatements.filter((sql) => /^\s*select/i.test(sql))).toHaveLength(1);
    expect(ledgerStatements.filter((sql) => /^\s*insert/i.test(sql))).toHaveLength(40);
    expect(await count('many-39')).toEqual({ events: 1, ledger: 1 });
  });

  it('applies a later version of a record met earlier in the same batch against its entry', async () => {
    const correlationId = randomUUID();
    const outcomes = await run(
      [child('twice'), child('twice'), child('twice', '2')],
      {},
      correlationId,
    );
    expect(outcomes).toEqual([
      { status: 'created' },
      { status: 'unchanged' },
      { status: 'updated' },
    ]);
    const entry = await db.orm.em.fork().findOneOrFail(IngestLedgerEntry, { sourceId: 'twice' });
    expect(entry.sourceVersion).toBe('2');
    expect(await count('twice')).toEqual({ events: 2, ledger: 1 });
    // Known from the batch's own write, not found by colliding with it and reading again (the
    // update loads its entry by id).
    const statements = db.queries.forRequest(correlationId);
    const bySource = /^\s*select.*ingest_ledger.*source_id/is;
    expect(statements.filter((sql) => bySource.test(sql))).toHaveLength(1);
    expect(statements.filter((sql) => /rollback/i.test(sql))).toEqual([]);
  });

  it.runIf(kind === 'postgres')(
    'does not apply a version again that another batch applied after this one read the ledger',
    async () => {
      expect(await run([child('race')])).toEqual([{ status: 'created' }]);
      // While this batch applies its first record, another batch applies version 2 of `race`
      // and commits: this batch read version 1 when it began.
      let other: unknown;
      const meanwhile: ApplyRecord = async (tx, item, previous) => {
        if (item.record.sourceId === 'trigger') other = await run([child('race', '2')]);
        return writer({})(tx, item, previous);
      };
      const outcomes = await runWith(meanwhile, [child('trigger'), child('race', '2')]);
      expect(other).toEqual([{ status: 'updated' }]);
      expect(outcomes).toEqual([{ status: 'created' }, { status: 'unchanged' }]);
      expect(await count('race')).toEqual({ events: 2, ledger: 1 });
    },
  );

  it('applies a record as new after its first version was rejected in the same batch', async () => {
    const rejectFirst: ApplyRecord = async (tx, item, previous) => {
      if (item.record.sourceVersion === '1') throw new IngestRejection('child.name', 'no');
      return writer({})(tx, item, previous);
    };
    const outcomes = await runWith(rejectFirst, [child('second-try'), child('second-try', '2')]);
    expect(outcomes).toEqual([
      { status: 'rejected', field: 'child.name', message: 'no' },
      { status: 'created' },
    ]);
    expect(await count('second-try')).toEqual({ events: 1, ledger: 1 });
  });

  it('applies a new version against the entity the first one became', async () => {
    const before = await db.orm.em.fork().findOneOrFail(IngestLedgerEntry, { sourceId: 'a' });
    expect(await run([child('a', '2')])).toEqual([{ status: 'updated' }]);
    const after = await db.orm.em.fork().findOneOrFail(IngestLedgerEntry, { sourceId: 'a' });
    expect(after).toMatchObject({ entityId: before.entityId, sourceVersion: '2' });
    expect(await count('a')).toEqual({ events: 2, ledger: 1 });
  });

  it('rolls back the whole batch on an unexpected error', async () => {
    await expect(
      run([child('a', '3'), child('d'), child('e')], { e: () => new Error('disk on fire') }),
    ).rejects.toThrow('disk on fire');
    expect(await count('a')).toEqual({ events: 2, ledger: 1 });
    expect(await count('d')).toEqual({ events: 0, ledger: 0 });
    const a = await db.orm.em.fork().findOneOrFail(IngestLedgerEntry, { sourceId: 'a' });
    expect(a.sourceVersion).toBe('2');
  });

  it('rejects a kind this subgraph does not own, naming `kind`', async () => {
    const item: IngestItem = {
      index: 0,
      plugin: 'test',
      record: {
        kind: 'escalation-record',
        sourceId: 'x',
        sourceVersion: '1',
        disagreementSourceId: 'y',
        author: { email: 'a@example.org' },
        recordKind: 'NOTE',
        text: 'Spoke to the school.',
        occurredAt: '2027-01-04T10:00:00Z',
      },
    };
    const [outcome] = await run([item]);
    expect(outcome).toMatchObject({ status: 'rejected', field: 'kind' });
    expect(await count('x')).toEqual({ events: 0, ledger: 0 });
  });
});

describe('rejections and references', () => {
  it("turns a rule's typed error into a rejection at the record's field", () => {
    const rejection = rejectionFrom(
      new PolicyViolationError('Only a child at immediate risk may start later.'),
      () => 'immediateRisk',
    );
    expect(rejection).toMatchObject({
      field: 'immediateRisk',
      message: 'Only a child at immediate risk may start later.',
    });
    expect(rejectionFrom(new Error('boom'), () => 'x')).toBeNull();
  });

  const agencies = [
    { id: '1', kind: AgencyKind.POLICE, name: 'Northbridge Police' },
    { id: '2', kind: AgencyKind.HEALTH, name: 'Northbridge NHS Trust' },
    { id: '3', kind: AgencyKind.HEALTH, name: 'Northbridge Community Health' },
  ];

  it('resolves an agency by kind, or by name where the board has several', () => {
    expect(resolveAgencyRef(agencies, { kind: AgencyKind.POLICE }, 'f').id).toBe('1');
    expect(
      resolveAgencyRef(agencies, { kind: AgencyKind.HEALTH, name: ' northbridge  nhs trust' }, 'f')
        .id,
    ).toBe('2');
  });

  it('rejects an ambiguous or unknown agency, saying what the board has', () => {
    expect(() =>
      resolveAgencyRef(agencies, { kind: AgencyKind.HEALTH }, 'involvedAgencies.1'),
    ).toThrow(
      expect.objectContaining({
        field: 'involvedAgencies.1',
        message:
          'the board has 2 HEALTH agencies ("Northbridge Community Health", "Northbridge NHS Trust"): name one',
      }),
    );
    expect(() => resolveAgencyRef(agencies, { kind: AgencyKind.HOUSING }, 'leadAgency')).toThrow(
      'the board has no HOUSING agency (its agencies are of kinds HEALTH, POLICE)',
    );
  });

  it('refuses a malformed request, naming the field', () => {
    const parsed = ingestApplyRequestSchema.safeParse({
      integration: { practitionerId: 'nope' },
      records: [{ index: 0, plugin: 'health', record: { kind: 'child', sourceId: '' } }],
    });
    expect(parsed.success).toBe(false);
    const fields = parsed.error!.issues.map((issue) => issue.path.join('.'));
    expect(fields).toContain('integration.practitionerId');
    expect(fields).toContain('records.0.record.sourceId');
  });
});
