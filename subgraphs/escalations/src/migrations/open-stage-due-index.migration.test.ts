import type { HubDatabase } from '@hub/kit';
import { describe, expect, it } from 'vitest';
import {
  analyzeAsInUse,
  databaseKinds,
  queryPlan,
  type DatabaseKind,
} from '../../../../test/support/databases.js';
import { emitOverdueStages } from '../scheduler/overdue.scheduler.js';
import {
  at,
  insertEscalations,
  insertRows,
  migratedEscalationsDatabase,
  uuid,
} from './migrations.test-helpers.js';

const NOW = Date.parse('2026-12-06T12:00:00Z');
const HOUR = 3_600_000;

/**
 * 1,000 escalations of five stages each, as a hub's history looks: every stage before the last
 * completed (on time, so never marked overdue), the last completed too for nine escalations in
 * ten, and of the open ones half past due. Then the planners' statistics.
 */
async function fill(db: HubDatabase, kind: DatabaseKind): Promise<void> {
  const raised = (n: number) => NOW - (1000 - n) * 24 * HOUR;
  const open = (n: number) => n % 10 === 0;
  const lastDue = (n: number) =>
    open(n) ? NOW + (n % 20 === 0 ? -1 : 1) * 24 * HOUR : raised(n) + 50 * HOUR;
  const escalations = Array.from({ length: 1000 }, (_, n) => n);
  await insertEscalations(
    db,
    kind,
    escalations.map((n) => ({
      n,
      boards: 4,
      agencies: 20,
      open: open(n),
      currentStageNumber: 5,
      currentStageDueAt: lastDue(n),
      raisedAt: raised(n),
    })),
  );
  await insertRows(
    db,
    'escalation_stage',
    'id, escalation_id, number, name, entered_at, due_at, completed_at, result',
    escalations.flatMap((n) =>
      [1, 2, 3, 4, 5].map((number) => {
        const last = number === 5;
        const due = last ? lastDue(n) : raised(n) + number * 10 * HOUR;
        const pending = last && open(n);
        return [
          uuid(6, n * 5 + number),
          uuid(3, n),
          number,
          `Stage ${number}`,
          at(kind, raised(n) + (number - 1) * 10 * HOUR),
          at(kind, due),
          pending ? null : at(kind, due - HOUR),
          pending ? null : last ? 'RESOLVED' : 'ESCALATED',
        ];
      }),
    ),
  );
  await analyzeAsInUse(db, kind, 'escalation_stage');
}

describe.each(databaseKinds)("the overdue scheduler's scan on %s", (kind) => {
  const database = migratedEscalationsDatabase(kind, (db) => fill(db, kind));

  it('reads the open stages not yet marked overdue from their own index', async () => {
    // The statement the scheduler really sends, with a moment before every due date (nothing due).
    const db = database();
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
    const emitted = await emitOverdueStages(database().orm.em.fork(), new Date(NOW));
    // One escalation in ten is open, half of those past due: 50 of 1,000.
    expect(emitted).toBe(50);
  });
});
