import { createHmac } from 'node:crypto';
import type { HubEvent } from '@hub/kit';
import type { EntityManager } from '@mikro-orm/core';
import { LearningSetting } from '../entities/learning-setting.entity.js';

/** The domain events the statistics read model is built from. */
export const STATS_EVENT_TYPES = [
  'EscalationRaised',
  'StageEntered',
  'StageCompleted',
  'EscalationResolved',
  'PanelConvened',
  'EscalationTagged',
] as const;

/** The name under which the read model's consumer records the events it has applied. */
export const STATS_CONSUMER = 'learning-stats';

/**
 * The read model's key for an escalation: an HMAC of its id under a key only this database
 * holds, so the statistics tables carry no id that joins to a case.
 */
export async function statsKeyer(em: EntityManager): Promise<(escalationId: string) => string> {
  const setting = await em.findOne(LearningSetting, { name: 'stats_key' });
  if (!setting) throw new Error('learning_setting has no stats_key: run the migrations');
  return (escalationId) => createHmac('sha256', setting.value).update(escalationId).digest('hex');
}

// Building an Intl.DateTimeFormat costs far more than formatting with one: one serves every call.
const londonYearMonth = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: '2-digit',
});

/** The Europe/London month (YYYY-MM) of an instant: boards are in the United Kingdom. */
export function londonMonth(instant: string): string {
  const date = new Date(instant);
  if (Number.isNaN(date.getTime())) throw new Error(`not an instant: ${instant}`);
  const parts = londonYearMonth.formatToParts(date);
  const part = (type: string) => parts.find((p) => p.type === type)?.value;
  return `${part('year')}-${part('month')}`;
}

const text = (payload: Record<string, unknown>, name: string): string => {
  const value = payload[name];
  if (typeof value !== 'string' || !value) throw new Error(`event payload lacks ${name}`);
  return value;
};

const whole = (value: unknown): number | null =>
  typeof value === 'number' && Number.isInteger(value) ? value : null;

/**
 * Applies one event to the read model inside the caller's transaction. Every change is a single
 * statement that commutes with the others (insert-if-absent, max, add, latest revision), so
 * events may arrive in any order, and `consumeOnce` makes a second delivery change nothing.
 * Every event carries the escalation's codes (eventFacts), so whichever comes first creates the
 * row. Case and agency ids in payloads are never read.
 */
export async function applyStatsEvent(
  em: EntityManager,
  keyOf: (escalationId: string) => string,
  event: HubEvent,
): Promise<void> {
  const payload = event.payload as Record<string, unknown>;
  const key = keyOf(text(payload, 'escalationId'));
  const execute = (sql: string, params: unknown[]) =>
    em.getConnection().execute(sql, params, 'run', em.getTransactionContext());
  await applyToRow(event, payload, key, execute, em);
  // Last, so a transaction holds its escalation's row before its board's version (one order:
  // no deadlock between consumers of the same board).
  await execute(
    `insert into stats_board_version (board_id, version)
     select board_id, 1 from stats_escalation where key = ?
     on conflict (board_id) do update set version = stats_board_version.version + 1`,
    [key],
  );
  // The row carries the version its change made, so a process keeping the board reads only the
  // rows changed since the version it has (stats.cache.ts).
  await execute(
    `update stats_escalation set row_version =
       (select version from stats_board_version v where v.board_id = stats_escalation.board_id)
     where key = ?`,
    [key],
  );
}

/**
 * Moves every board's statistics version on and marks it rebuilt there (a replay rewrites the
 * read model under them, deleting rows, which no row version shows), so no process keeps
 * serving figures from before it or patches them with rows from after it.
 */
export async function bumpEveryStatsVersion(em: EntityManager): Promise<void> {
  const execute = (sql: string) =>
    em.getConnection().execute(sql, [], 'run', em.getTransactionContext());
  await execute(
    'update stats_board_version set version = version + 1, rebuilt_version = version + 1',
  );
  await execute(
    `insert into stats_board_version (board_id, version, rebuilt_version)
     select distinct board_id, 1, 1 from stats_escalation where true
     on conflict (board_id) do nothing`,
  );
}

async function applyToRow(
  event: HubEvent,
  payload: Record<string, unknown>,
  key: string,
  execute: (sql: string, params: unknown[]) => Promise<unknown>,
  em: EntityManager,
): Promise<void> {
  // Events written before they carried raisedAt update a row an earlier event created.
  if (typeof payload.raisedAt !== 'string') {
    const rows = await em
      .getConnection()
      .execute<{ n: number }[]>(
        'select count(*) as n from stats_escalation where key = ?',
        [key],
        'all',
        em.getTransactionContext(),
      );
    if (Number(rows[0]?.n) === 0)
      throw new Error(`${event.type} ${event.id} came before its escalation was raised; retried`);
  } else
    await execute(
      `insert into stats_escalation (key, board_id, raised_month, category, raising_kind,
       responding_kind, highest_stage, panel, theme_mask, theme_revision, stages_completed,
       stages_within, outcome_working_days)
     values (?, ?, ?, ?, ?, ?, 1, ?, 0, 0, 0, 0, null)
     on conflict (key) do nothing`,
      [
        key,
        text(payload, 'boardId'),
        londonMonth(text(payload, 'raisedAt')),
        text(payload, 'category'),
        text(payload, 'raisingAgencyKind'),
        text(payload, 'respondingAgencyKind'),
        false,
      ],
    );
  const reached = (stage: number | null) =>
    stage === null
      ? Promise.resolve()
      : execute(
          `update stats_escalation set highest_stage = ? where key = ? and highest_stage < ?`,
          [stage, key, stage],
        );
  switch (event.type) {
    case 'EscalationRaised':
      return void (await reached(whole(payload.startStage)));
    case 'StageEntered':
      return void (await reached(whole(payload.stageNumber)));
    case 'StageCompleted':
      // A stage left by withdrawal was not completed: its work stopped.
      if (payload.result === 'WITHDRAWN') return;
      await execute(
        `update stats_escalation set stages_completed = stages_completed + 1,
           stages_within = stages_within + ? where key = ?`,
        [payload.withinTimescale === true ? 1 : 0, key],
      );
      return;
    case 'EscalationResolved':
      await execute(
        `update stats_escalation set outcome_working_days = ?
         where key = ? and outcome_working_days is null`,
        [whole(payload.workingDaysToOutcome), key],
      );
      return;
    case 'PanelConvened':
      await execute(`update stats_escalation set panel = ? where key = ?`, [true, key]);
      return;
    case 'EscalationTagged': {
      const revision = whole(payload.revision);
      const mask = whole(payload.themeMask);
      if (revision === null || mask === null) throw new Error('EscalationTagged lacks its mask');
      await execute(
        `update stats_escalation set theme_mask = ?, theme_revision = ?
         where key = ? and theme_revision < ?`,
        [mask, revision, key, revision],
      );
      return;
    }
  }
}
