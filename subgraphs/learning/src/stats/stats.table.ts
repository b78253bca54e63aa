import type { EntityManager } from '@mikro-orm/core';

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
  /** Working days from raising to the agreed outcome; null while there is none. */
  outcomeWorkingDays?: number | null;
}

/**
 * A board's read model in columns: each text value is a number into its sorted dictionary, so
 * computing the statistics is integer work over typed arrays, and a cached board costs about
 * 40 bytes per row (56 with the key prefix) rather than an object and its strings.
 */
export interface StatsTable {
  readonly size: number;
  /** Distinct values, sorted; the columns below hold indexes into them. */
  readonly months: readonly string[];
  readonly categories: readonly string[];
  /** Agency kinds, raising and responding alike. */
  readonly kinds: readonly string[];
  /** Distinct highest stages, ascending. */
  readonly stages: readonly number[];
  readonly month: Uint16Array;
  readonly category: Uint8Array;
  readonly raising: Uint8Array;
  readonly responding: Uint8Array;
  /** Theme bits (0–30): a non-negative 32-bit integer. */
  readonly themeMask: Int32Array;
  readonly highestStage: Uint8Array;
  readonly panel: Uint8Array;
  readonly n: Float64Array;
  readonly stagesCompleted: Float64Array;
  readonly stagesWithin: Float64Array;
  /** -1 where the group has no agreed outcome. */
  readonly outcomeWorkingDays: Int32Array;
  /**
   * Each row's key in the read model, its first KEY_BYTES bytes, rows in ascending key order:
   * what finds a changed row again (patchStatsTable). Absent on tables built from groups rather
   * than a board's rows, and where two of a board's keys begin alike, which only patching needs.
   */
  readonly keys?: Buffer;
}

/**
 * Bytes of a row's key kept to find it again: the first 16 bytes (128 bits) of the HMAC-SHA256
 * of the escalation id. A board whose keys share a prefix is never patched, only reloaded.
 */
export const KEY_BYTES = 16;

/** The columns that hold one number per row, as patchStatsTable copies them. */
const NUMBER_COLUMNS = [
  'month',
  'category',
  'raising',
  'responding',
  'themeMask',
  'highestStage',
  'panel',
  'n',
  'stagesCompleted',
  'stagesWithin',
  'outcomeWorkingDays',
] as const;
type NumberColumn = (typeof NUMBER_COLUMNS)[number];
type NumberValues = Record<NumberColumn, number>;

const MAX = { month: 0xffff, code: 0xff, stage: 0xff } as const;

/** Text values numbered as met; `sorted` renumbers them in order once all are in. */
class Dictionary {
  private readonly index = new Map<string, number>();
  readonly values: string[] = [];

  constructor(
    private readonly limit: number,
    private readonly what: string,
  ) {}

  of(value: string): number {
    let i = this.index.get(value);
    if (i === undefined) {
      i = this.values.length;
      if (i > this.limit) throw new Error(`statistics: more than ${this.limit + 1} ${this.what}`);
      this.values.push(value);
      this.index.set(value, i);
    }
    return i;
  }

  /** The values in order, and each number met's new number. */
  sorted(): { values: string[]; renumber: Uint16Array } {
    const values = [...this.values].sort();
    const renumber = new Uint16Array(this.values.length);
    values.forEach((value, i) => (renumber[this.index.get(value)!] = i));
    return { values, renumber };
  }
}

function whole(value: number, max: number, what: string): number {
  if (!Number.isInteger(value) || value < 0 || value > max)
    throw new Error(`statistics: ${what} ${value} is not a whole number from 0 to ${max}`);
  return value;
}

/** A row's values other than its dictionary codes, as the columns hold them. */
function countValues(
  row: StatsRow,
): Omit<NumberValues, 'month' | 'category' | 'raising' | 'responding'> {
  const days = row.outcomeWorkingDays;
  return {
    themeMask: whole(row.themeMask, 0x7fffffff, 'theme mask'),
    highestStage: whole(row.highestStage, MAX.stage, 'highest stage'),
    panel: row.panel ? 1 : 0,
    n: whole(row.n, Number.MAX_SAFE_INTEGER, 'count'),
    stagesCompleted: row.stagesCompleted,
    stagesWithin: row.stagesWithin,
    outcomeWorkingDays:
      days === null || days === undefined ? -1 : whole(days, 0x7fffffff, 'working days'),
  };
}

/**
 * The columns of `rows` (each read by `read`), in one pass; throws on a value the columns cannot
 * hold rather than mangle it.
 */
export function statsTable<T = StatsRow>(
  rows: readonly T[],
  read: (row: T) => StatsRow = (row) => row as StatsRow,
): StatsTable {
  const size = rows.length;
  const months = new Dictionary(MAX.month, 'months');
  const categories = new Dictionary(MAX.code, 'categories');
  const kinds = new Dictionary(MAX.code, 'agency kinds');
  const stages = new Set<number>();
  const table = {
    size,
    month: new Uint16Array(size),
    category: new Uint8Array(size),
    raising: new Uint8Array(size),
    responding: new Uint8Array(size),
    themeMask: new Int32Array(size),
    highestStage: new Uint8Array(size),
    panel: new Uint8Array(size),
    n: new Float64Array(size),
    stagesCompleted: new Float64Array(size),
    stagesWithin: new Float64Array(size),
    outcomeWorkingDays: new Int32Array(size),
  };
  for (let i = 0; i < size; i++) {
    const row = read(rows[i]!);
    table.month[i] = months.of(row.month);
    table.category[i] = categories.of(row.category);
    table.raising[i] = kinds.of(row.raising);
    table.responding[i] = kinds.of(row.responding);
    const values = countValues(row);
    table.themeMask[i] = values.themeMask;
    table.highestStage[i] = values.highestStage;
    stages.add(values.highestStage);
    table.panel[i] = values.panel;
    table.n[i] = values.n;
    table.stagesCompleted[i] = values.stagesCompleted;
    table.stagesWithin[i] = values.stagesWithin;
    table.outcomeWorkingDays[i] = values.outcomeWorkingDays;
  }
  // Number the text values in sorted order, as the published breakdowns list them.
  const renumbered = (dictionary: Dictionary, column: Uint8Array | Uint16Array) => {
    const { values, renumber } = dictionary.sorted();
    for (let i = 0; i < size; i++) column[i] = renumber[column[i]!]!;
    return values;
  };
  return {
    ...table,
    months: renumbered(months, table.month),
    categories: renumbered(categories, table.category),
    kinds: (() => {
      const { values, renumber } = kinds.sorted();
      for (let i = 0; i < size; i++) {
        table.raising[i] = renumber[table.raising[i]!]!;
        table.responding[i] = renumber[table.responding[i]!]!;
      }
      return values;
    })(),
    stages: [...stages].sort((a, b) => a - b),
  };
}

interface RawRow {
  key_prefix: string;
  raised_month: string;
  category: string;
  raising_kind: string;
  responding_kind: string;
  theme_mask: number | string;
  highest_stage: number | string;
  panel: boolean | number;
  outcome_working_days: number | string | null;
  stages_completed: number | string;
  stages_within: number | string;
}

/** A row of the read model, one escalation. */
const fromRaw = (row: RawRow): StatsRow => ({
  month: row.raised_month,
  category: row.category,
  raising: row.raising_kind,
  responding: row.responding_kind,
  themeMask: Number(row.theme_mask),
  highestStage: Number(row.highest_stage),
  panel: row.panel === true || Number(row.panel) === 1,
  outcomeWorkingDays: row.outcome_working_days === null ? null : Number(row.outcome_working_days),
  n: 1,
  stagesCompleted: Number(row.stages_completed),
  stagesWithin: Number(row.stages_within),
});

/** What is read of a row: its key's prefix (the hex of KEY_BYTES bytes) and the columns. */
const READ_COLUMNS = `raised_month, category, raising_kind, responding_kind, theme_mask, highest_stage,
  panel, outcome_working_days, stages_completed, stages_within`;
const KEY_PREFIX = `substr(key, 1, ${KEY_BYTES * 2})`;

/** A board's rows, in key order (`?`: the board). */
export const BOARD_ROWS_SQL = `select ${KEY_PREFIX} as key_prefix, ${READ_COLUMNS}
  from stats_escalation where board_id = ? order by key`;

/**
 * A board's version and rebuild with its rows changed since a version (`?`: the version, then
 * the board); one row of nulls but the version when none changed.
 */
const CHANGED_ROWS_SQL = `select v.version as board_version, v.rebuilt_version,
    substr(e.key, 1, ${KEY_BYTES * 2}) as key_prefix,
    ${READ_COLUMNS.split(',')
      .map((column) => `e.${column.trim()}`)
      .join(', ')}
  from stats_board_version v
  left join stats_escalation e on e.board_id = v.board_id and e.row_version > ?
  where v.board_id = ?`;

/**
 * Rows in ascending key order (UTF-16 order, which is byte order for hex keys): the database's
 * order where its collation agrees, sorted here where it does not.
 */
function inKeyOrder<T>(rows: readonly T[], keyOf: (row: T) => string): readonly T[] {
  for (let i = 1; i < rows.length; i++) {
    if (keyOf(rows[i - 1]!) >= keyOf(rows[i]!)) {
      return [...rows].sort((a, b) => {
        const [x, y] = [keyOf(a), keyOf(b)];
        return x < y ? -1 : x > y ? 1 : 0;
      });
    }
  }
  return rows;
}

/** Writes the first KEY_BYTES bytes of a hex key into `into` at `offset`. */
function writeKeyPrefix(hex: string, into: Buffer, offset: number): void {
  if (into.write(hex, offset, KEY_BYTES, 'hex') !== KEY_BYTES)
    throw new Error(`statistics: key ${hex.slice(0, 8)}… is not hexadecimal`);
}

/** The first KEY_BYTES bytes of a hex key. */
function keyPrefix(hex: string): Buffer {
  const bytes = Buffer.alloc(KEY_BYTES);
  writeKeyPrefix(hex, bytes, 0);
  return bytes;
}

/**
 * The board's read model, one row per escalation in key order: an index-only scan of the
 * board's entries in the index that holds every column read (stats-row-version.migration.ts).
 * Grouping the rows in the database would cost a sort as large as the board and save little:
 * boards' rows are nearly all distinct. Disclosure control needs the whole board, not only the
 * filter's share, to compare the filter with its relaxations.
 */
export async function loadStatsTable(em: EntityManager, boardId: string): Promise<StatsTable> {
  const read: RawRow[] = await em.getConnection().execute(BOARD_ROWS_SQL, [boardId], 'all');
  return keyedStatsTable(read, (row) => row.key_prefix, fromRaw);
}

/** The table of a board's rows, each with its key, in key order with the keys' prefixes. */
export function keyedStatsTable<T>(
  rows: readonly T[],
  keyOf: (row: T) => string,
  read: (row: T) => StatsRow,
): StatsTable {
  const ordered = inKeyOrder(rows, keyOf);
  const table = statsTable(ordered, read);
  const keys = Buffer.alloc(ordered.length * KEY_BYTES);
  for (let i = 0; i < ordered.length; i++) {
    writeKeyPrefix(keyOf(ordered[i]!), keys, i * KEY_BYTES);
    if (i > 0 && keys.compare(keys, (i - 1) * KEY_BYTES, i * KEY_BYTES, i * KEY_BYTES) === 0)
      return table;
  }
  return { ...table, keys };
}

/** A row of the read model that changed, by its key. */
export interface ChangedStatsRow {
  key: string;
  row: StatsRow;
}

/**
 * The board's version and rebuild (stats-row-version.migration.ts) and its rows changed since
 * version `since`, in one statement, so the rows are those of that version or newer and a
 * rebuild between them cannot go unseen. Null when the board has no version yet.
 */
export async function loadStatsChanges(
  em: EntityManager,
  boardId: string,
  since: number,
): Promise<{ version: number; rebuilt: number; rows: ChangedStatsRow[] } | null> {
  const raw: (Omit<RawRow, 'key_prefix'> & {
    key_prefix: string | null;
    board_version: number | string;
    rebuilt_version: number | string;
  })[] = await em.getConnection().execute(CHANGED_ROWS_SQL, [since, boardId], 'all');
  if (!raw.length) return null;
  return {
    version: Number(raw[0]!.board_version),
    rebuilt: Number(raw[0]!.rebuilt_version),
    rows: raw.flatMap((row) =>
      row.key_prefix === null ? [] : [{ key: row.key_prefix, row: fromRaw(row as RawRow) }],
    ),
  };
}

/**
 * `table` with `changed` folded in: a row whose key it holds is replaced, any other is added in
 * key order. The result equals a table loaded afresh from the same rows (stats.table.test.ts);
 * `table` itself is left as it was, for requests still computing over it. Null when the table
 * cannot be patched (it has no keys, or a row brings a month, category or agency kind it has
 * not met, which would renumber its dictionaries): load the board again.
 */
export function patchStatsTable(
  table: StatsTable,
  changed: readonly ChangedStatsRow[],
): StatsTable | null {
  const keys = table.keys;
  if (!keys) return null;
  const code = (values: readonly string[], value: string) => values.indexOf(value);
  const placed: { key: Buffer; values: NumberValues; at: number; replaces: boolean }[] = [];
  for (const { key, row } of inKeyOrder(changed, (c) => c.key)) {
    const values: NumberValues = {
      month: code(table.months, row.month),
      category: code(table.categories, row.category),
      raising: code(table.kinds, row.raising),
      responding: code(table.kinds, row.responding),
      ...countValues(row),
    };
    if (values.month < 0 || values.category < 0 || values.raising < 0 || values.responding < 0)
      return null;
    const prefix = keyPrefix(key);
    // The first row whose key is not below this one.
    let low = 0;
    let high = table.size;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (keys.compare(prefix, 0, KEY_BYTES, mid * KEY_BYTES, (mid + 1) * KEY_BYTES) < 0)
        low = mid + 1;
      else high = mid;
    }
    const replaces =
      low < table.size &&
      keys.compare(prefix, 0, KEY_BYTES, low * KEY_BYTES, (low + 1) * KEY_BYTES) === 0;
    const last = placed.at(-1);
    if (last && last.at === low && last.key.equals(prefix)) placed.pop();
    placed.push({ key: prefix, values, at: low, replaces });
  }
  const size = table.size + placed.filter((p) => !p.replaces).length;
  const columns = {} as Record<NumberColumn, StatsTable[NumberColumn]>;
  for (const name of NUMBER_COLUMNS) {
    const Column = table[name].constructor as new (length: number) => StatsTable[NumberColumn];
    columns[name] = new Column(size);
  }
  const patchedKeys = Buffer.alloc(size * KEY_BYTES);
  let from = 0;
  let to = 0;
  const copyUpTo = (end: number) => {
    for (const name of NUMBER_COLUMNS) columns[name].set(table[name].subarray(from, end), to);
    patchedKeys.set(keys.subarray(from * KEY_BYTES, end * KEY_BYTES), to * KEY_BYTES);
    to += end - from;
    from = end;
  };
  for (const { key, values, at, replaces } of placed) {
    copyUpTo(at);
    for (const name of NUMBER_COLUMNS) columns[name][to] = values[name];
    patchedKeys.set(key, to * KEY_BYTES);
    to += 1;
    if (replaces) from += 1;
  }
  copyUpTo(table.size);
  const stages = new Set<number>(columns.highestStage);
  return {
    ...table,
    ...(columns as Pick<StatsTable, NumberColumn>),
    size,
    stages: [...stages].sort((a, b) => a - b),
    keys: patchedKeys,
  };
}
