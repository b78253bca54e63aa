import { createLogger, type DatabaseTarget, type HubDatabase } from '@hub/kit';
import { openSubgraphDatabase } from '../dataset/dataset.load.js';
import type { SubgraphName } from '../dataset/tables.js';

/** The filter variants the analytics benchmark measures, in order. */
export const VARIANT_NAMES = ['board', 'twelve-months', 'category-kind', 'combined'] as const;
export type VariantName = (typeof VARIANT_NAMES)[number];

export const VARIANT_TITLES: Record<VariantName, string> = {
  board: 'the board only',
  'twelve-months': '12 months',
  'category-kind': 'a category and a raising agency kind',
  combined: '12 months, a category, a raising and a responding agency kind',
};

/** StatsFilter as the learning subgraph takes it. */
export interface StatsFilter {
  boardId: string;
  from?: string;
  to?: string;
  categories?: string[];
  raisingAgencyKinds?: string[];
  respondingAgencyKinds?: string[];
  themeCodes?: string[];
}

/** A variant's filters to try, most escalations first: disclosure control may refuse some. */
export interface VariantCandidates {
  name: VariantName;
  candidates: { filter: StatsFilter; rows: number }[];
}

export interface AnalyticsSubjects {
  boardId: string;
  /** Escalations of the board in the read model. */
  escalations: number;
  /** An active ANALYST of the board (a BOARD_MANAGER if it has none). */
  analystId: string;
  analystRole: 'ANALYST' | 'BOARD_MANAGER';
  /** An active BOARD_MANAGER of the board, who tags escalations for `--after-event`. */
  managerId: string | null;
  /** Some of the board's escalations (at most 50), to tag for `--after-event`. */
  escalationIds: string[];
  variants: VariantCandidates[];
}

type Row = Record<string, unknown>;

async function query(db: HubDatabase, sql: string, params: unknown[] = []): Promise<Row[]> {
  return db.orm.em.getConnection().execute<Row[]>(sql, params);
}

const rolesOf = (roles: unknown): string[] =>
  typeof roles === 'string' ? (JSON.parse(roles) as string[]) : (roles as string[]);

/** `YYYY-MM` moved by `months`. */
export function addMonths(month: string, months: number): string {
  const [year, m] = month.split('-').map(Number) as [number, number];
  const index = year * 12 + (m - 1) + months;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** The first day of a month, and its last (filters take whole months only). */
export const firstDay = (month: string) => `${month}-01`;
export function lastDay(month: string): string {
  const [year, m] = month.split('-').map(Number) as [number, number];
  return `${month}-${String(new Date(Date.UTC(year, m, 0)).getUTCDate()).padStart(2, '0')}`;
}

/**
 * Picks the analytics benchmark's board, user and filters from a loaded dataset, read-only, by
 * SQL: the board with the most escalations in the statistics read model (what escalationStats
 * reads), an active analyst of it (or a board manager), and for each variant candidate filters
 * from the read model's own rows, the most escalations first:
 * - board: the board only;
 * - twelve-months: the 12 months ending with the latest month that has escalations;
 * - category-kind: a category and a raising agency kind;
 * - combined: those 12 months, a category, a raising and a responding agency kind.
 */
export async function pickAnalyticsSubjects(
  targets: Record<SubgraphName, DatabaseTarget>,
): Promise<AnalyticsSubjects> {
  const log = createLogger('bench', 'warn');
  const learning = await openSubgraphDatabase('learning', targets.learning, log, false);
  const cases = await openSubgraphDatabase('cases', targets.cases, log, false);
  const escalations = await openSubgraphDatabase('escalations', targets.escalations, log, false);
  try {
    const [busiest] = await query(
      learning,
      `select board_id, count(*) as n from stats_escalation group by board_id
        order by count(*) desc, board_id limit 1`,
    );
    if (!busiest) throw new Error('the statistics read model (stats_escalation) is empty');
    const boardId = String(busiest.board_id);
    const staff = await query(
      cases,
      'select id, roles, active from practitioner where board_id = ? order by id',
      [boardId],
    );
    const holder = (role: string) =>
      staff.find((row) => Boolean(row.active) && rolesOf(row.roles).includes(role));
    const analyst = holder('ANALYST');
    const manager = holder('BOARD_MANAGER');
    const user = analyst ?? manager;
    if (!user) throw new Error(`board ${boardId} has no active ANALYST or BOARD_MANAGER`);

    const [latest] = await query(
      learning,
      'select max(raised_month) as month from stats_escalation where board_id = ?',
      [boardId],
    );
    const toMonth = String(latest!.month);
    const fromMonth = addMonths(toMonth, -11);
    const months = { from: firstDay(fromMonth), to: lastDay(toMonth) };
    const [inMonths] = await query(
      learning,
      'select count(*) as n from stats_escalation where board_id = ? and raised_month >= ? and raised_month <= ?',
      [boardId, fromMonth, toMonth],
    );
    const categoryKinds = await query(
      learning,
      `select category, raising_kind, count(*) as n from stats_escalation where board_id = ?
        group by category, raising_kind order by count(*) desc, category, raising_kind limit 12`,
      [boardId],
    );
    const combined = await query(
      learning,
      `select category, raising_kind, responding_kind, count(*) as n from stats_escalation
        where board_id = ? and raised_month >= ? and raised_month <= ?
        group by category, raising_kind, responding_kind
        order by count(*) desc, category, raising_kind, responding_kind limit 12`,
      [boardId, fromMonth, toMonth],
    );
    const taggable = await query(
      escalations,
      'select id from escalation where board_id = ? order by id limit 50',
      [boardId],
    );
    return {
      boardId,
      escalations: Number(busiest.n),
      analystId: String(user.id),
      analystRole: analyst ? 'ANALYST' : 'BOARD_MANAGER',
      managerId: manager ? String(manager.id) : null,
      escalationIds: taggable.map((row) => String(row.id)),
      variants: [
        { name: 'board', candidates: [{ filter: { boardId }, rows: Number(busiest.n) }] },
        {
          name: 'twelve-months',
          candidates: [{ filter: { boardId, ...months }, rows: Number(inMonths!.n) }],
        },
        {
          name: 'category-kind',
          candidates: categoryKinds.map((row) => ({
            filter: {
              boardId,
              categories: [String(row.category)],
              raisingAgencyKinds: [String(row.raising_kind)],
            },
            rows: Number(row.n),
          })),
        },
        {
          name: 'combined',
          candidates: combined.map((row) => ({
            filter: {
              boardId,
              ...months,
              categories: [String(row.category)],
              raisingAgencyKinds: [String(row.raising_kind)],
              respondingAgencyKinds: [String(row.responding_kind)],
            },
            rows: Number(row.n),
          })),
        },
      ],
    };
  } finally {
    await Promise.all([learning.close(), cases.close(), escalations.close()]);
  }
}
