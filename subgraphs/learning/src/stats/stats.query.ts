import type { EntityManager } from '@mikro-orm/core';
import type { StatsCriteria, StatsRow } from './stats.compute.js';

interface RawRow {
  raised_month: string;
  category: string;
  raising_kind: string;
  responding_kind: string;
  theme_mask: number | string;
  highest_stage: number | string;
  panel: boolean | number;
  n: number | string;
  stages_completed: number | string | null;
  stages_within: number | string | null;
}

/**
 * The board's read model grouped by everything the statistics count by: one scan of the board's
 * rows (index on board_id), whose result is as large as the number of distinct combinations,
 * not of escalations. Disclosure control needs the whole board, not only the filter's share,
 * to compare the filter with its relaxations.
 */
export async function loadStatsRows(em: EntityManager, boardId: string): Promise<StatsRow[]> {
  const rows: RawRow[] = await em.getConnection().execute(
    `select raised_month, category, raising_kind, responding_kind, theme_mask, highest_stage,
            panel, count(*) as n, sum(stages_completed) as stages_completed,
            sum(stages_within) as stages_within
       from stats_escalation where board_id = ?
      group by raised_month, category, raising_kind, responding_kind, theme_mask,
               highest_stage, panel`,
    [boardId],
    'all',
  );
  return rows.map((row) => ({
    month: row.raised_month,
    category: row.category,
    raising: row.raising_kind,
    responding: row.responding_kind,
    themeMask: Number(row.theme_mask),
    highestStage: Number(row.highest_stage),
    panel: row.panel === true || Number(row.panel) === 1,
    n: Number(row.n),
    stagesCompleted: Number(row.stages_completed ?? 0),
    stagesWithin: Number(row.stages_within ?? 0),
  }));
}

/**
 * The median working days to an agreed outcome over the escalations that match, from a
 * histogram (working days are whole numbers), or null when fewer than `atLeast` have one.
 */
export async function medianWorkingDaysToOutcome(
  em: EntityManager,
  boardId: string,
  criteria: StatsCriteria,
  atLeast: number,
): Promise<number | null> {
  const where = ['board_id = ?', 'outcome_working_days is not null'];
  const params: unknown[] = [boardId];
  if (criteria.fromMonth) {
    where.push('raised_month >= ?');
    params.push(criteria.fromMonth);
  }
  if (criteria.toMonth) {
    where.push('raised_month <= ?');
    params.push(criteria.toMonth);
  }
  const inList = (column: string, values?: ReadonlySet<string>) => {
    if (!values) return;
    where.push(values.size ? `${column} in (${[...values].map(() => '?').join(', ')})` : '1 = 0');
    params.push(...values);
  };
  inList('category', criteria.categories);
  inList('raising_kind', criteria.raising);
  inList('responding_kind', criteria.responding);
  if (criteria.themeMask !== undefined) {
    where.push('(theme_mask & ?) <> 0');
    params.push(criteria.themeMask);
  }
  const histogram: { days: number | string; n: number | string }[] = await em
    .getConnection()
    .execute(
      `select outcome_working_days as days, count(*) as n from stats_escalation
      where ${where.join(' and ')} group by outcome_working_days order by outcome_working_days`,
      params,
      'all',
    );
  const bins = histogram.map((bin) => ({ days: Number(bin.days), n: Number(bin.n) }));
  const total = bins.reduce((sum, bin) => sum + bin.n, 0);
  if (total === 0 || total < atLeast) return null;
  // The k-th smallest value (0-based), read off the cumulative counts.
  const nth = (k: number) => {
    let seen = 0;
    for (const bin of bins) {
      seen += bin.n;
      if (k < seen) return bin.days;
    }
    throw new Error('median: histogram shorter than its count');
  };
  return total % 2 === 1 ? nth((total - 1) / 2) : (nth(total / 2 - 1) + nth(total / 2)) / 2;
}
