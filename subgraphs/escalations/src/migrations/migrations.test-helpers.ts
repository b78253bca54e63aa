import { createLogger, KIT_ENTITIES, kitMigration, openDatabase, type HubDatabase } from '@hub/kit';
import { afterAll, beforeAll } from 'vitest';
import { freshTarget, type DatabaseKind } from '../../../../test/support/databases.js';
import * as entities from '../entities/index.js';
import { escalationsMigrations } from './index.js';

/** A fixed UUID: the group says what it is (board, agency, escalation…), `n` which one. */
export const uuid = (group: number, n: number) =>
  `00000000-0000-4000-8000-${group.toString(16).padStart(4, '0')}${n.toString(16).padStart(8, '0')}`;

/** A date as each database stores it (SQLite: milliseconds; PostgreSQL: a timestamp). */
export const at = (kind: DatabaseKind, ms: number) =>
  kind === 'sqlite' ? ms : new Date(ms).toISOString();

/** What an index test varies in an escalation row; the rest is the same for every row. */
export interface EscalationRow {
  n: number;
  boards: number;
  agencies: number;
  open: boolean;
  currentStageNumber: number;
  currentStageDueAt: number;
  raisedAt: number;
}

/** Inserts escalations, 100 rows a statement, with every column the table requires. */
export async function insertEscalations(
  db: HubDatabase,
  kind: DatabaseKind,
  rows: EscalationRow[],
): Promise<void> {
  await insertRows(
    db,
    'escalation',
    `id, reference, board_id, region, case_id, raised_by_id, raising_agency_id,
    raising_agency_kind, responding_agency_id, responding_agency_kind, category, ground, summary,
    desired_outcome, immediate_risk, status, policy_version, current_stage_number,
    current_stage_due_at, raised_at, version`,
    rows.map((row) => [
      uuid(3, row.n),
      `ESC-2026-${String(row.n).padStart(6, '0')}`,
      uuid(1, row.n % row.boards),
      'GB-ENG',
      uuid(4, row.n),
      uuid(5, row.n % 300),
      uuid(2, row.n % row.agencies),
      'POLICE',
      uuid(2, (row.n * 7 + 1) % row.agencies),
      'CHILDRENS_SOCIAL_CARE',
      'NEED_FOR_ACTION',
      'DECISION_CHALLENGE',
      'Concern',
      'Outcome',
      false,
      row.open ? 'OPEN' : 'CLOSED',
      1,
      row.open ? row.currentStageNumber : null,
      row.open ? at(kind, row.currentStageDueAt) : null,
      at(kind, row.raisedAt),
      1,
    ]),
  );
}

/** Inserts `rows` into `table`, 100 a statement. */
export async function insertRows(
  db: HubDatabase,
  table: string,
  columns: string,
  rows: unknown[][],
): Promise<void> {
  const connection = db.orm.em.getConnection();
  for (let start = 0; start < rows.length; start += 100) {
    const batch = rows.slice(start, start + 100);
    const placeholders = batch.map((row) => `(${row.map(() => '?').join(', ')})`).join(', ');
    await connection.execute(
      `insert into ${table} (${columns}) values ${placeholders}`,
      batch.flat(),
    );
  }
}

/**
 * A fresh escalations database with every migration, filled by `fill` before the suite's tests
 * and removed after them. Call inside a `describe`; the getter gives the open database.
 */
export function migratedEscalationsDatabase(
  kind: DatabaseKind,
  fill: (db: HubDatabase) => Promise<void>,
): () => HubDatabase {
  const fresh = freshTarget(kind, 'escalations');
  let db: HubDatabase | undefined;
  beforeAll(async () => {
    db = await openDatabase({
      target: fresh.target,
      entities: [...KIT_ENTITIES, ...Object.values(entities)],
      migrations: [kitMigration, ...escalationsMigrations],
      log: createLogger('test', 'silent'),
    });
    await fill(db);
  });
  afterAll(async () => {
    await db?.close();
    await fresh.dispose();
  });
  return () => db!;
}
