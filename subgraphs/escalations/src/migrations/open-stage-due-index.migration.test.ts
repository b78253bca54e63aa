import { createLogger, KIT_ENTITIES, kitMigration, openDatabase, type HubDatabase } from '@hub/kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  analyzeAsInUse,
  databaseKinds,
  freshTarget,
  queryPlan,
  type DatabaseKind,
} from '../../../../test/support/databases.js';
import * as entities from '../entities/index.js';
import { emitOverdueStages } from '../scheduler/overdue.scheduler.js';
import { escalationsMigrations } from './index.js';

const uuid = (group: number, n: number) =>
  `00000000-0000-4000-8000-${group.toString(16).padStart(4, '0')}${n.toString(16).padStart(8, '0')}`;
const NOW = Date.parse('2026-12-06T12:00:00Z');
const HOUR = 3_600_000;
/** A date as each database stores it (SQLite: milliseconds; PostgreSQL: a timestamp). */
const at = (kind: DatabaseKind, ms: number) =>
  kind === 'sqlite' ? ms : new Date(ms).toISOString();

/**
 * 1,000 escalations of five stages each, as a hub's history looks: every stage before the last
 * completed (on time, so never marked overdue), the last completed too for nine escalations in
 * ten, and of the open ones half past due. Then the planners' statistics.
 */
async function fill(db: HubDatabase, kind: DatabaseKind): Promise<void> {
  const connection = db.orm.em.getConnection();
  const escalationColumns = `id, reference, board_id, region, case_id, raised_by_id,
    raising_agency_id, raising_agency_kind, responding_agency_id, responding_agency_kind,
    category, ground, summary, desired_outcome, immediate_risk, status, policy_version,
    current_stage_number, current_stage_due_at, raised_at, version`;
  const stageColumns = `id, escalation_id, number, name, entered_at, due_at, completed_at, result`;
  for (let start = 0; start < 1000; start += 100) {
    const escalations: unknown[][] = [];
    const stages: unknown[][] = [];
    for (let i = start; i < start + 100; i++) {
      const open = i % 10 === 0;
      const raised = NOW - (1000 - i) * 24 * HOUR;
      const lastDue = open ? NOW + (i % 20 === 0 ? -1 : 1) * 24 * HOUR : raised + 50 * HOUR;
      escalations.push([
        uuid(3, i),
        `ESC-2026-${String(i).padStart(6, '0')}`,
        uuid(1, i % 4),
        'GB-ENG',
        uuid(4, i),
        uuid(5, i % 300),
        uuid(2, i % 20),
        'POLICE',
        uuid(2, (i * 7 + 1) % 20),
        'CHILDRENS_SOCIAL_CARE',
        'NEED_FOR_ACTION',
        'DECISION_CHALLENGE',
        'Concern',
        'Outcome',
        false,
        open ? 'OPEN' : 'CLOSED',
        1,
        open ? 5 : null,
        open ? at(kind, lastDue) : null,
        at(kind, raised),
        1,
      ]);
      for (let number = 1; number <= 5; number++) {
        const last = number === 5;
        const due = last ? lastDue : raised + number * 10 * HOUR;
        stages.push([
          uuid(6, i * 5 + number),
          uuid(3, i),
          number,
          `Stage ${number}`,
          at(kind, raised + (number - 1) * 10 * HOUR),
          at(kind, due),
          last && open ? null : at(kind, due - HOUR),
          last && open ? null : last ? 'RESOLVED' : 'ESCALATED',
        ]);
      }
    }
    for (const [table, columns, rows] of [
      ['escalation', escalationColumns, escalations],
      ['escalation_stage', stageColumns, stages],
    ] as const) {
      const placeholders = rows.map((row) => `(${row.map(() => '?').join(', ')})`).join(', ');
      await connection.execute(
        `insert into ${table} (${columns}) values ${placeholders}`,
        rows.flat(),
      );
    }
  }
  await analyzeAsInUse(db, kind, 'escalation_stage');
}

describe.each(databaseKinds)("the overdue scheduler's scan on %s", (kind) => {
  const fresh = freshTarget(kind, 'escalations');
  let db: HubDatabase;
  beforeAll(async () => {
    db = await openDatabase({
      target: fresh.target,
      entities: [...KIT_ENTITIES, ...Object.values(entities)],
      migrations: [kitMigration, ...escalationsMigrations],
      log: createLogger('test', 'silent'),
    });
    await fill(db, kind);
  });
  afterAll(async () => {
    await db?.close();
    await fresh.dispose();
  });

  it('reads the open stages not yet marked overdue from their own index', async () => {
    // The statement the scheduler really sends, with a moment before every due date (nothing due).
    db.queries.reset();
    await emitOverdueStages(db.orm.em.fork(), new Date(NOW - 2000 * 24 * HOUR));
    const scan = db.queries.statements.find((sql) => /from \S*escalation_stage\b/.test(sql));
    expect(scan, db.queries.statements.join('\n')).toBeDefined();
    // The plan for the scheduler's moment: every stage due before it, most long completed.
    const literal = kind === 'sqlite' ? String(NOW) : `'${new Date(NOW).toISOString()}'`;
    const bound = scan!
      .replace(/ < (\?|\$1)/, ` < ${literal}`)
      .replace(/limit (\?|\$2|\d+)/, 'limit 200');
    const text = await queryPlan(db, kind, bound);
    expect(text, `${bound}\n${text}`).toMatch(/escalation_stage_open_due_index/);
  });

  it('still finds exactly the open stages past due', async () => {
    const emitted = await emitOverdueStages(db.orm.em.fork(), new Date(NOW));
    // One escalation in ten is open, half of those past due: 50 of 1,000.
    expect(emitted).toBe(50);
  });
});
