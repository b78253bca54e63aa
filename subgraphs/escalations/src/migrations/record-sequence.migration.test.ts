import { randomUUID } from 'node:crypto';
import { createLogger, KIT_ENTITIES, kitMigration, openDatabase, type HubDatabase } from '@hub/kit';
import { afterAll, describe, expect, it } from 'vitest';
import { databaseKinds, freshTarget } from '../../../../test/support/databases.js';
import * as entities from '../entities/index.js';
import { escalationsMigrations } from './index.js';

const log = createLogger('test', 'silent');
const MIGRATION = 'Migration20261125000200_escalation_record_sequence';

describe.each(databaseKinds)('escalation record sequence migration on %s', (kind) => {
  const fresh = freshTarget(kind, 'escalations');
  const open = (migrations: typeof escalationsMigrations) =>
    openDatabase({
      target: fresh.target,
      entities: [...KIT_ENTITIES, ...Object.values(entities)],
      migrations: [kitMigration, ...migrations],
      log,
    });
  let db: HubDatabase | undefined;
  afterAll(async () => {
    await db?.close();
    await fresh.dispose();
  });

  it('puts a consultation written with its concern after it, and leaves other records first in their instant', async () => {
    const before = escalationsMigrations.filter((migration) => migration.name !== MIGRATION);
    expect(before).toHaveLength(escalationsMigrations.length - 1);
    const old = await open(before);
    db = old;
    const sql = (query: string, params: unknown[]) =>
      old.orm.em.getConnection().execute(query, params);
    const escalation = randomUUID();
    const raisedAt = '2027-03-01T10:00:00.000Z';
    await sql(
      `insert into escalation (id, reference, board_id, region, case_id, raised_by_id,
         raising_agency_id, raising_agency_kind, responding_agency_id, responding_agency_kind,
         category, ground, summary, desired_outcome, immediate_risk, status, policy_version,
         current_stage_number, raised_at, version)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        escalation,
        'ESC-2027-000001',
        randomUUID(),
        'GB-ENG',
        randomUUID(),
        randomUUID(),
        randomUUID(),
        'POLICE',
        randomUUID(),
        'CHILDRENS_SOCIAL_CARE',
        'NEED_FOR_ACTION',
        'DECISION_CHALLENGE',
        'Concern',
        'Outcome',
        true,
        'OPEN',
        1,
        3,
        raisedAt,
        1,
      ],
    );
    const record = (kind: string, at: string) => {
      const id = randomUUID();
      return sql(
        `insert into escalation_record (id, escalation_id, stage_number, kind, author_id, text,
           occurred_at, recorded_at, shared_with_ids) values (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [id, escalation, 3, kind, randomUUID(), kind, at, at, '[]'],
      ).then(() => [kind, id] as const);
    };
    const ids = Object.fromEntries([
      await record('CONCERN_RAISED', raisedAt),
      await record('CONSULTATION', raisedAt),
      await record('NOTE', '2027-03-01T11:00:00.000Z'),
    ]);
    // A consultation a practitioner wrote later, on its own, is first in its instant.
    const [, later] = await record('CONSULTATION', '2027-03-02T09:00:00.000Z');
    await old.close();

    db = await open(escalationsMigrations);
    const rows = await db.orm.em
      .getConnection()
      .execute('select id, sequence from escalation_record');
    const sequenceOf = new Map(rows.map((row: any) => [row.id, Number(row.sequence)]));
    expect(sequenceOf.get(ids.CONCERN_RAISED)).toBe(0);
    expect(sequenceOf.get(ids.CONSULTATION)).toBe(1);
    expect(sequenceOf.get(ids.NOTE)).toBe(0);
    expect(sequenceOf.get(later)).toBe(0);
  });
});
