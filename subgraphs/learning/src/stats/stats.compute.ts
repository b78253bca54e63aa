import { disclosable, suppress, type Cell, type Equation } from './disclosure.js';
import type { StatsTable } from './stats.table.js';

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

/** Per dictionary entry, whether it passes the filter's restriction (1) or not (0). */
function passing(values: readonly string[], test: (value: string) => boolean): Uint8Array {
  return Uint8Array.from(values, (value) => (test(value) ? 1 : 0));
}

/**
 * The filter over a table: its restricted dimensions, and for a group the set of them it fails
 * (bit i for dims[i]; 0 when it matches).
 */
function filterOf(table: StatsTable, criteria: StatsCriteria) {
  const dims = restricted(criteria);
  const bit = (dim: Dimension) => {
    const i = dims.indexOf(dim);
    return i < 0 ? 0 : 1 << i;
  };
  const [monthBit, categoryBit, raisingBit, respondingBit, themeBit] = (
    ['month', 'category', 'raising', 'responding', 'theme'] as const
  ).map(bit) as [number, number, number, number, number];
  const { fromMonth, toMonth, categories, raising, responding, themeMask } = criteria;
  const monthOk = passing(
    table.months,
    (m) => (!fromMonth || m >= fromMonth) && (!toMonth || m <= toMonth),
  );
  const categoryOk = passing(table.categories, (c) => !categories || categories.has(c));
  const raisingOk = passing(table.kinds, (k) => !raising || raising.has(k));
  const respondingOk = passing(table.kinds, (k) => !responding || responding.has(k));
  const failing = (row: number): number =>
    (monthOk[table.month[row]!] ? 0 : monthBit) |
    (categoryOk[table.category[row]!] ? 0 : categoryBit) |
    (raisingOk[table.raising[row]!] ? 0 : raisingBit) |
    (respondingOk[table.responding[row]!] ? 0 : respondingBit) |
    (themeMask === undefined || (table.themeMask[row]! & themeMask) !== 0 ? 0 : themeBit);
  return { dims, failing };
}

/**
 * The published cells, numbered: `total`, then one per category, highest stage, raising kind,
 * responding kind, agency pair, month, panel and theme. `id` gives a cell's name.
 */
function cellLayout(table: StatsTable, themes: readonly Theme[]) {
  const K = table.kinds.length;
  const category = 1;
  const stage = category + table.categories.length;
  const raising = stage + table.stages.length;
  const responding = raising + K;
  const pair = responding + K;
  const month = pair + K * K;
  const panel = month + table.months.length;
  const theme = panel + 2;
  const size = theme + themes.length;
  const id = (cell: number): string => {
    if (cell === 0) return 'total';
    if (cell < stage) return `category:${table.categories[cell - category]}`;
    if (cell < raising) return `stage:${table.stages[cell - stage]}`;
    if (cell < responding) return `raising:${table.kinds[cell - raising]}`;
    if (cell < pair) return `responding:${table.kinds[cell - responding]}`;
    if (cell < month) {
      const k = cell - pair;
      return `pair:${table.kinds[Math.floor(k / K)]}|${table.kinds[k % K]}`;
    }
    if (cell < panel) return `month:${table.months[cell - month]}`;
    if (cell < theme) return cell === panel + 1 ? 'panel:CONVENED' : 'panel:NONE';
    return `theme:${themes[cell - theme]!.code}`;
  };
  return { category, stage, raising, responding, pair, month, panel, theme, size, id };
}

/**
 * Computes the statistics over the rows that match, with disclosure control: a cell is
 * suppressed when its count is small, when comparing it with the same cell under the filter
 * relaxed in any set of dimensions would show a small difference, or when dropping one selected
 * value of a dimension would (each selected value's share of the cell must be 0 or at least the
 * threshold; a filter that adds a value has it selected and is checked in turn); then secondary
 * suppression stops subtraction from giving it away. When the total
 * itself would be exposed so, the query is refused ({@link DisclosureRefusal}).
 *
 * One pass over the board's groups, in integers: each group adds its count to every cell it
 * falls in, under the filter and under each relaxation of it that the group passes.
 */
export function computeStats(
  table: StatsTable,
  criteria: StatsCriteria,
  themes: readonly Theme[],
  keys: { categories: readonly string[]; agencyKinds: readonly string[] },
  threshold: number,
): ComputedStats {
  const { dims, failing: failingOf } = filterOf(table, criteria);
  const relaxations = 1 << dims.length;
  const layout = cellLayout(table, themes);
  const cellCount = layout.size;
  // A stage's position in table.stages, by the stage (stages are whole numbers up to 255).
  const stageIndex = new Uint8Array(256);
  table.stages.forEach((stage, i) => (stageIndex[stage] = i));
  // The theme cells of each theme mask met (a group has any number of themes).
  const themeCells = new Map<number, Uint16Array>();
  const themeCellsOf = (mask: number) => {
    let found = themeCells.get(mask);
    if (!found) {
      found = Uint16Array.from(themes.flatMap((t, i) => ((mask & (1 << t.bit)) !== 0 ? [i] : [])));
      themeCells.set(mask, found);
    }
    return found;
  };
  // counts[s * cellCount + c]: cell c's count under the filter relaxed in the dimensions of s.
  const counts = new Float64Array(relaxations * cellCount);
  // shares[d][c * values + v]: cell c's count per selected value v of dims[d].
  const valuesIn: Record<Dimension, number> = {
    month: table.months.length,
    category: table.categories.length,
    raising: table.kinds.length,
    responding: table.kinds.length,
    theme: themes.length,
  };
  const shares = dims.map((d) => new Float64Array(cellCount * valuesIn[d]));
  const dimValues = dims.map((d) => valuesIn[d]);
  // The cells a group falls in: eight, and one per theme it has. Reused for every group.
  const rowCells = new Int32Array(8 + themes.length);
  const K = table.kinds.length;
  let completed = 0;
  let within = 0;
  for (let row = 0; row < table.size; row++) {
    const failing = failingOf(row);
    const raising = table.raising[row]!;
    const responding = table.responding[row]!;
    const rowThemes = themeCellsOf(table.themeMask[row]!);
    rowCells[0] = 0;
    rowCells[1] = layout.category + table.category[row]!;
    rowCells[2] = layout.stage + stageIndex[table.highestStage[row]!]!;
    rowCells[3] = layout.raising + raising;
    rowCells[4] = layout.responding + responding;
    rowCells[5] = layout.pair + raising * K + responding;
    rowCells[6] = layout.month + table.month[row]!;
    rowCells[7] = layout.panel + table.panel[row]!;
    for (let t = 0; t < rowThemes.length; t++) rowCells[8 + t] = layout.theme + rowThemes[t]!;
    const cellsOfRow = 8 + rowThemes.length;
    const n = table.n[row]!;
    // Every relaxation that includes all the dimensions the group fails (supersets of failing).
    for (let s = failing; s < relaxations; s = (s + 1) | failing) {
      const base = s * cellCount;
      for (let c = 0; c < cellsOfRow; c++) counts[base + rowCells[c]!]! += n;
    }
    if (failing !== 0) continue;
    completed += table.stagesCompleted[row]!;
    within += table.stagesWithin[row]!;
    // Only the selected values: a query adding a value has it selected, and is checked itself.
    for (let i = 0; i < dims.length; i++) {
      const values = dimValues[i]!;
      const share = shares[i]!;
      const d = dims[i]!;
      if (d === 'theme') {
        for (let t = 0; t < rowThemes.length; t++) {
          const value = rowThemes[t]!;
          for (let c = 0; c < cellsOfRow; c++) share[rowCells[c]! * values + value]! += n;
        }
        continue;
      }
      const value =
        d === 'month'
          ? table.month[row]!
          : d === 'category'
            ? table.category[row]!
            : d === 'raising'
              ? raising
              : responding;
      for (let c = 0; c < cellsOfRow; c++) share[rowCells[c]! * values + value]! += n;
    }
  }
  const shown = new Map<string, number>();
  const exposed = new Set<string>();
  const blame = new Map<string, Dimension>();
  for (let cell = 0; cell < cellCount; cell++) {
    const count = counts[cell]!;
    // A zero is safe to show: any difference from it is a count published (and checked) itself.
    if (count === 0) continue;
    const id = layout.id(cell);
    shown.set(id, count);
    const expose = (dim: Dimension | null) => {
      exposed.add(id);
      if (dim && !blame.has(id)) blame.set(id, dim);
    };
    if (!disclosable(count, threshold)) expose(null);
    for (let s = 1; s < relaxations; s++) {
      const difference = counts[s * cellCount + cell]! - count;
      // Blamed on the relaxation's first dimension.
      if (!disclosable(difference, threshold)) expose(dims[Math.log2(s & -s)]!);
    }
    dims.forEach((d, i) => {
      const values = valuesIn[d];
      for (let v = 0; v < values; v++)
        if (!disclosable(shares[i]![cell * values + v]!, threshold)) expose(d);
    });
  }
  const total = shown.get('total') ?? 0;
  if (exposed.has('total')) throw new DisclosureRefusal(blame.get('total') ?? null);

  const stages = table.stages;
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

/**
 * The median working days to an agreed outcome over the escalations that match the filter, or
 * null when fewer than `atLeast` have one. Working days are whole numbers: read off a histogram.
 */
export function medianWorkingDaysToOutcome(
  table: StatsTable,
  criteria: StatsCriteria,
  atLeast: number,
): number | null {
  const { failing } = filterOf(table, criteria);
  const histogram = new Map<number, number>();
  let total = 0;
  for (let row = 0; row < table.size; row++) {
    const days = table.outcomeWorkingDays[row]!;
    if (days < 0 || failing(row) !== 0) continue;
    histogram.set(days, (histogram.get(days) ?? 0) + table.n[row]!);
    total += table.n[row]!;
  }
  if (total === 0 || total < atLeast) return null;
  const bins = [...histogram].sort(([a], [b]) => a - b);
  // The k-th smallest value (0-based), read off the cumulative counts.
  const nth = (k: number) => {
    let seen = 0;
    for (const [days, n] of bins) {
      seen += n;
      if (k < seen) return days;
    }
    throw new Error('median: histogram shorter than its count');
  };
  return total % 2 === 1 ? nth((total - 1) / 2) : (nth(total / 2 - 1) + nth(total / 2)) / 2;
}
