import { disclosable, suppress, type Cell, type Equation } from './disclosure.js';

/** One group of the read model: escalations alike in everything the statistics count by. */
export interface StatsRow {
  month: string;
  category: string;
  raising: string;
  responding: string;
  themeMask: number;
  highestStage: number;
  panel: boolean;
  n: number;
  stagesCompleted: number;
  stagesWithin: number;
}

/** The filter's restrictions; an absent one does not restrict. */
export interface StatsCriteria {
  fromMonth?: string;
  toMonth?: string;
  categories?: ReadonlySet<string>;
  raising?: ReadonlySet<string>;
  responding?: ReadonlySet<string>;
  /** Escalations with any of these themes (a mask of their bits). */
  themeMask?: number;
}

/** A dimension a filter may restrict; `field` is its name in the StatsFilter input. */
export type Dimension = 'month' | 'category' | 'raising' | 'responding' | 'theme';
export const DIMENSION_FIELDS: Record<Dimension, string> = {
  month: 'filter.from',
  category: 'filter.categories',
  raising: 'filter.raisingAgencyKinds',
  responding: 'filter.respondingAgencyKinds',
  theme: 'filter.themeCodes',
};

export interface Theme {
  code: string;
  bit: number;
}

export interface Bucket {
  key: string;
  count: number | null;
  suppressed: boolean;
}

export interface ComputedStats {
  total: number;
  byCategory: Bucket[];
  byHighestStage: Bucket[];
  byRaisingAgencyKind: Bucket[];
  byRespondingAgencyKind: Bucket[];
  agencyPairs: Bucket[];
  byMonth: Bucket[];
  byTheme: Bucket[];
  byResolutionPanel: Bucket[];
  stagesWithinTimescaleRate: number | null;
}

/** The filter would let a small count be worked out: the dimension to widen. */
export class DisclosureRefusal extends Error {
  constructor(readonly dimension: Dimension | null) {
    super('disclosure control refused the filter');
  }
}

function restricted(criteria: StatsCriteria): Dimension[] {
  const dims: Dimension[] = [];
  if (criteria.fromMonth || criteria.toMonth) dims.push('month');
  if (criteria.categories) dims.push('category');
  if (criteria.raising) dims.push('raising');
  if (criteria.responding) dims.push('responding');
  if (criteria.themeMask !== undefined) dims.push('theme');
  return dims;
}

function matchesDim(row: StatsRow, criteria: StatsCriteria, dim: Dimension): boolean {
  switch (dim) {
    case 'month':
      return (
        (!criteria.fromMonth || row.month >= criteria.fromMonth) &&
        (!criteria.toMonth || row.month <= criteria.toMonth)
      );
    case 'category':
      return !criteria.categories || criteria.categories.has(row.category);
    case 'raising':
      return !criteria.raising || criteria.raising.has(row.raising);
    case 'responding':
      return !criteria.responding || criteria.responding.has(row.responding);
    case 'theme':
      return criteria.themeMask === undefined || (row.themeMask & criteria.themeMask) !== 0;
  }
}

/** The values a row has in a dimension (a row has several themes). */
function valuesOf(row: StatsRow, dim: Dimension, themes: readonly Theme[]): string[] {
  switch (dim) {
    case 'month':
      return [row.month];
    case 'category':
      return [row.category];
    case 'raising':
      return [row.raising];
    case 'responding':
      return [row.responding];
    case 'theme':
      return themes.filter((t) => (row.themeMask & (1 << t.bit)) !== 0).map((t) => t.code);
  }
}

/** The published cells a row counts in: `total` and one per breakdown it falls in. */
function cellsOf(row: StatsRow, themes: readonly Theme[]): string[] {
  return [
    'total',
    `category:${row.category}`,
    `stage:${row.highestStage}`,
    `raising:${row.raising}`,
    `responding:${row.responding}`,
    `pair:${row.raising}|${row.responding}`,
    `month:${row.month}`,
    `panel:${row.panel ? 'CONVENED' : 'NONE'}`,
    ...valuesOf(row, 'theme', themes).map((code) => `theme:${code}`),
  ];
}

const add = (map: Map<string, number>, key: string, n: number) =>
  map.set(key, (map.get(key) ?? 0) + n);

/**
 * Computes the statistics over the rows that match, with disclosure control: a cell is
 * suppressed when its count is small, when comparing it with the same cell under the filter
 * relaxed in any set of dimensions would show a small difference, or when dropping one selected
 * value of a dimension would (each selected value's share of the cell must be 0 or at least the
 * threshold; a filter that adds a value has it selected and is checked in turn); then secondary
 * suppression stops subtraction from giving it away. When the total
 * itself would be exposed so, the query is refused ({@link DisclosureRefusal}).
 */
export function computeStats(
  rows: readonly StatsRow[],
  criteria: StatsCriteria,
  themes: readonly Theme[],
  keys: { categories: readonly string[]; agencyKinds: readonly string[] },
  threshold: number,
): ComputedStats {
  const dims = restricted(criteria);
  const subsets = Array.from({ length: 1 << dims.length }, (_, mask) =>
    dims.filter((_, i) => (mask & (1 << i)) !== 0),
  );
  // counts[s]: every cell's count under the filter relaxed in the dimensions of subsets[s].
  const counts = subsets.map(() => new Map<string, number>());
  // shares[d]: each cell's count per selected value of d (dropping one from the filter).
  const shares = new Map<Dimension, Map<string, Map<string, number>>>(
    dims.map((d) => [d, new Map()]),
  );
  let completed = 0;
  let within = 0;
  for (const row of rows) {
    const failing = dims.filter((d) => !matchesDim(row, criteria, d));
    const cells = cellsOf(row, themes);
    subsets.forEach((subset, s) => {
      if (!failing.every((d) => subset.includes(d))) return;
      for (const cell of cells) add(counts[s]!, cell, row.n);
    });
    if (failing.length === 0) {
      completed += row.stagesCompleted;
      within += row.stagesWithin;
    }
    // Only the selected values: a query adding a value has it selected, and is checked itself.
    if (failing.length === 0) {
      for (const d of dims) {
        const byCell = shares.get(d)!;
        for (const value of valuesOf(row, d, themes)) {
          for (const cell of cells) {
            const perValue = byCell.get(cell) ?? new Map<string, number>();
            add(perValue, value, row.n);
            byCell.set(cell, perValue);
          }
        }
      }
    }
  }
  const shown = counts[0]!;
  const exposed = new Set<string>();
  const blame = new Map<string, Dimension>();
  // A zero is safe to show: any difference from it is a count published (and checked) itself.
  for (const [cell, count] of shown) {
    if (count === 0) continue;
    if (!disclosable(count, threshold)) exposed.add(cell);
    subsets.forEach((subset, s) => {
      if (s === 0) return;
      const difference = (counts[s]!.get(cell) ?? 0) - count;
      if (!disclosable(difference, threshold)) {
        exposed.add(cell);
        if (!blame.has(cell)) blame.set(cell, subset[0]!);
      }
    });
    for (const d of dims) {
      for (const share of shares.get(d)!.get(cell)?.values() ?? []) {
        if (!disclosable(share, threshold)) {
          exposed.add(cell);
          if (!blame.has(cell)) blame.set(cell, d);
        }
      }
    }
  }
  const total = shown.get('total') ?? 0;
  if (exposed.has('total')) throw new DisclosureRefusal(blame.get('total') ?? null);

  const stages = [...new Set(rows.map((r) => r.highestStage))].sort((a, b) => a - b);
  const months = [...shown.keys()]
    .filter((cell) => cell.startsWith('month:'))
    .map((cell) => cell.slice('month:'.length))
    .sort();
  const pairs = [...shown.keys()].filter((cell) => cell.startsWith('pair:')).sort();
  const ids = {
    category: keys.categories.map((k) => `category:${k}`),
    stage: stages.map((k) => `stage:${k}`),
    raising: keys.agencyKinds.map((k) => `raising:${k}`),
    responding: keys.agencyKinds.map((k) => `responding:${k}`),
    month: months.map((k) => `month:${k}`),
    theme: themes.map((t) => `theme:${t.code}`),
    panel: ['panel:CONVENED', 'panel:NONE'],
  };
  const all = [...Object.values(ids).flat(), ...pairs];
  const cells: Cell[] = all.map((id) => ({ id, count: shown.get(id) ?? 0 }));
  const equations: Equation[] = [
    ...(['category', 'stage', 'raising', 'responding', 'month', 'panel'] as const).map((k) => ({
      whole: null,
      parts: ids[k],
    })),
    { whole: null, parts: pairs },
    ...keys.agencyKinds.map((k) => ({
      whole: `raising:${k}`,
      parts: pairs.filter((p) => p.startsWith(`pair:${k}|`)),
    })),
    ...keys.agencyKinds.map((k) => ({
      whole: `responding:${k}`,
      parts: pairs.filter((p) => p.endsWith(`|${k}`)),
    })),
  ].filter((equation) => equation.parts.length > 0);
  const hidden = suppress(cells, equations, threshold, exposed);
  const bucket = (id: string, key: string): Bucket =>
    hidden.has(id)
      ? { key, count: null, suppressed: true }
      : { key, count: shown.get(id) ?? 0, suppressed: false };
  const strip = (prefix: string) => (id: string) => bucket(id, id.slice(prefix.length));
  return {
    total,
    byCategory: ids.category.map(strip('category:')),
    byHighestStage: ids.stage.map(strip('stage:')),
    byRaisingAgencyKind: ids.raising.map(strip('raising:')),
    byRespondingAgencyKind: ids.responding.map(strip('responding:')),
    agencyPairs: pairs.map(strip('pair:')),
    byMonth: ids.month.map(strip('month:')),
    byTheme: ids.theme.map(strip('theme:')),
    byResolutionPanel: ids.panel.map(strip('panel:')),
    stagesWithinTimescaleRate: completed > 0 && completed >= threshold ? within / completed : null,
  };
}
