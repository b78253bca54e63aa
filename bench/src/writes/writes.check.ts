import { createHmac } from 'node:crypto';
import { createLogger, type DatabaseTarget, type HubDatabase } from '@hub/kit';
import { openSubgraphDatabase } from '../dataset/dataset.load.js';
import type { SubgraphName } from '../dataset/tables.js';

/** What the databases held before a writes run, to tell its writes from the dataset's. */
export interface WritesBaseline {
  /** When the run started: the escalations raised since are the run's. */
  startedAt: Date;
  /** The escalations outbox's last `seq`: the run's events come after it. */
  outboxSeq: number;
  /** Each ESC reference counter, `${boardId}|${year}` → last number given. */
  counters: Record<string, number>;
}

/** One check after a writes run. */
export interface WriteCheck {
  name: string;
  ok: boolean;
  detail: string;
}

/** The read model's consumer, and the events it follows (subgraphs/learning, stats.projection). */
const STATS_CONSUMER = 'learning-stats';
const STATS_EVENTS = new Set(['EscalationRaised', 'StageEntered', 'StageCompleted']);
/** The cases subgraph's consumer, which involves the responding agency in the case. */
const CASES_CONSUMER = 'cases';

type Row = Record<string, unknown>;

const REFERENCE = /^ESC-(\d{4})-(\d+)$/;

async function openAll(
  targets: Record<SubgraphName, DatabaseTarget>,
  names: SubgraphName[],
): Promise<Record<string, HubDatabase>> {
  const log = createLogger('bench', 'warn');
  const dbs: Record<string, HubDatabase> = {};
  try {
    for (const name of names)
      dbs[name] = await openSubgraphDatabase(name, targets[name], log, false);
  } catch (error) {
    await Promise.all(Object.values(dbs).map((db) => db.close()));
    throw error;
  }
  return dbs;
}

async function sql(db: HubDatabase, query: string, params: unknown[] = []): Promise<Row[]> {
  return db.orm.em.getConnection().execute<Row[]>(query, params);
}

/** Runs `query` with `... in (?)` over `ids` in batches, `{in}` standing for the placeholders. */
async function inBatches(
  db: HubDatabase,
  query: string,
  ids: readonly string[],
  before: unknown[] = [],
): Promise<Row[]> {
  const rows: Row[] = [];
  for (let i = 0; i < ids.length; i += 500) {
    const batch = ids.slice(i, i + 500);
    const marks = batch.map(() => '?').join(', ');
    rows.push(...(await sql(db, query.replace('{in}', marks), [...before, ...batch])));
  }
  return rows;
}

async function counters(escalations: HubDatabase): Promise<Record<string, number>> {
  const rows = await sql(
    escalations,
    "select board_id, year, last from reference_counter where prefix = 'ESC'",
  );
  return Object.fromEntries(
    rows.map((r) => [`${String(r.board_id)}|${Number(r.year)}`, Number(r.last)]),
  );
}

/** Reads the baseline of a writes run, before it starts. */
export async function snapshotWrites(
  targets: Record<SubgraphName, DatabaseTarget>,
): Promise<WritesBaseline> {
  const { escalations } = await openAll(targets, ['escalations']);
  try {
    const [seq] = await sql(escalations, 'select max(seq) as seq from outbox_event');
    return {
      startedAt: new Date(),
      outboxSeq: Number(seq?.seq ?? 0),
      counters: await counters(escalations),
    };
  } finally {
    await escalations!.close();
  }
}

const sample = (items: readonly string[], n = 5) =>
  items.length === 0
    ? ''
    : `${items.slice(0, n).join('; ')}${items.length > n ? `; … ${items.length - n} more` : ''}`;

const payloadOf = (value: unknown): Record<string, unknown> =>
  typeof value === 'string'
    ? (JSON.parse(value) as Record<string, unknown>)
    : (value as Record<string, unknown>);

const multiset = (numbers: number[]) => [...numbers].sort((a, b) => a - b).join(',');

/**
 * Checks what a writes run left, on the databases themselves:
 * - every raise the clients were answered is stored, under the reference answered;
 * - references: per board and year, the run's new escalations hold exactly the numbers after
 *   the counter's value before the run up to its value now, each once (none duplicated, none
 *   skipped), and no reference of that board and year is held twice;
 * - events: each new escalation has one EscalationRaised, a StageEntered per stage it entered
 *   and a StageCompleted per stage it completed in the escalations outbox, all published;
 * - consumers: the learning read model's consumer applied each of those events, and the cases
 *   subgraph each EscalationRaised (it involves the responding agency);
 * - the read model (stats_escalation) has a row for every new escalation, keyed by the HMAC of
 *   its id, with its highest stage and its stages completed.
 * The run's escalations are those raised since the baseline; `answered` are the raises the
 * clients got an answer for (a raise whose answer was lost is still checked, as a new row).
 */
export async function checkWrites(
  targets: Record<SubgraphName, DatabaseTarget>,
  baseline: WritesBaseline,
  answered: readonly { id: string; reference: string }[],
): Promise<WriteCheck[]> {
  const checks: WriteCheck[] = [];
  const check = (name: string, problems: string[], fine: string) =>
    checks.push({
      name,
      ok: problems.length === 0,
      detail: problems.length ? sample(problems) : fine,
    });
  const dbs = await openAll(targets, ['escalations', 'cases', 'learning']);
  const escalations = dbs.escalations!;
  try {
    const since =
      targets.escalations.kind === 'sqlite'
        ? baseline.startedAt.getTime()
        : baseline.startedAt.toISOString();
    const fresh = await sql(
      escalations,
      'select id, board_id, reference, current_stage_number from escalation where raised_at >= ?',
      [since],
    );
    const byId = new Map(fresh.map((r) => [String(r.id), r]));
    const ids = [...byId.keys()];

    // Raises answered are stored as answered.
    const unanswered = ids.length - answered.length;
    check(
      'every raise answered is stored with the reference answered',
      answered
        .filter((a) => byId.get(a.id)?.reference !== a.reference)
        .map(
          (a) =>
            `${a.id} answered ${a.reference}, stored ${String(byId.get(a.id)?.reference ?? 'nothing')}`,
        ),
      `${answered.length} answered` +
        (unanswered > 0 ? `, ${unanswered} stored whose answer was lost` : ''),
    );

    // References: none duplicated, none skipped.
    const now = await counters(escalations);
    const groups = new Map<string, number[]>();
    const problems: string[] = [];
    for (const r of fresh) {
      const match = REFERENCE.exec(String(r.reference));
      if (!match) {
        problems.push(`${String(r.id)}: reference ${String(r.reference)} is not ESC-YYYY-NNNNNN`);
        continue;
      }
      const key = `${String(r.board_id)}|${Number(match[1])}`;
      groups.set(key, [...(groups.get(key) ?? []), Number(match[2])]);
    }
    for (const key of new Set([...groups.keys(), ...Object.keys(now)])) {
      const before = baseline.counters[key] ?? 0;
      const after = now[key] ?? 0;
      const numbers = (groups.get(key) ?? []).sort((a, b) => a - b);
      if (numbers.length === 0 && after === before) continue;
      const [boardId, year] = key.split('|') as [string, string];
      const seen = new Set<number>();
      const duplicated = numbers.filter((n) => seen.has(n) || !seen.add(n));
      const skipped: number[] = [];
      for (let n = before + 1; n <= after; n += 1) if (!seen.has(n)) skipped.push(n);
      const outside = [...seen].filter((n) => n <= before || n > after);
      const label = `board ${boardId} ${year}`;
      if (duplicated.length) problems.push(`${label}: duplicated ${duplicated.join(', ')}`);
      if (skipped.length)
        problems.push(
          `${label}: skipped ${skipped.slice(0, 10).join(', ')}${skipped.length > 10 ? ' …' : ''} (counter ${before} → ${after})`,
        );
      if (outside.length)
        problems.push(`${label}: ${outside.join(', ')} outside the counter's ${before} → ${after}`);
      // No reference of the board and year held twice, old or new.
      const [held] = await sql(
        escalations,
        'select count(*) as n, count(distinct reference) as d from escalation where board_id = ? and reference like ?',
        [boardId, `ESC-${year}-%`],
      );
      if (Number(held?.n) !== Number(held?.d)) {
        problems.push(`${label}: ${Number(held?.n) - Number(held?.d)} references held twice`);
      }
    }
    const boardYears = [...groups.keys()].length;
    check(
      'references: none duplicated, none skipped (against the reference counters)',
      problems,
      `${ids.length} new, contiguous after each counter's value before the run (${boardYears} board-year(s))`,
    );

    // Events in the escalations outbox.
    const stages = await inBatches(
      escalations,
      'select escalation_id, number, completed_at from escalation_stage where escalation_id in ({in})',
      ids,
    );
    const events = (
      await sql(
        escalations,
        'select id, type, aggregate_id, payload, published_at from outbox_event where seq > ? order by seq',
        [baseline.outboxSeq],
      )
    ).filter((e) => byId.has(String(e.aggregate_id)));
    const eventsOf = new Map<string, Row[]>();
    for (const e of events) {
      const id = String(e.aggregate_id);
      eventsOf.set(id, [...(eventsOf.get(id) ?? []), e]);
    }
    const stagesOf = new Map<string, Row[]>();
    for (const s of stages) {
      const id = String(s.escalation_id);
      stagesOf.set(id, [...(stagesOf.get(id) ?? []), s]);
    }
    const raisedProblems: string[] = [];
    const stageProblems: string[] = [];
    for (const id of ids) {
      const mine = eventsOf.get(id) ?? [];
      const raisedEvents = mine.filter((e) => e.type === 'EscalationRaised').length;
      if (raisedEvents !== 1) raisedProblems.push(`${id}: ${raisedEvents} EscalationRaised`);
      const numbersOf = (type: string) =>
        mine.filter((e) => e.type === type).map((e) => Number(payloadOf(e.payload).stageNumber));
      const entered = stagesOf.get(id) ?? [];
      const expectEntered = multiset(entered.map((s) => Number(s.number)));
      const expectCompleted = multiset(
        entered.filter((s) => s.completed_at !== null).map((s) => Number(s.number)),
      );
      const gotEntered = multiset(numbersOf('StageEntered'));
      const gotCompleted = multiset(numbersOf('StageCompleted'));
      if (gotEntered !== expectEntered) {
        stageProblems.push(
          `${id}: StageEntered for stages [${gotEntered}], entered [${expectEntered}]`,
        );
      }
      if (gotCompleted !== expectCompleted) {
        stageProblems.push(
          `${id}: StageCompleted for stages [${gotCompleted}], completed [${expectCompleted}]`,
        );
      }
    }
    check(
      'every new escalation has one EscalationRaised event',
      raisedProblems,
      `${ids.length} escalations`,
    );
    check(
      'a StageEntered event per stage entered, a StageCompleted per stage completed',
      stageProblems,
      `${stages.length} stages, ${events.filter((e) => e.type === 'StageEntered').length} StageEntered, ${events.filter((e) => e.type === 'StageCompleted').length} StageCompleted`,
    );
    const unpublished = events.filter(
      (e) => e.published_at === null || e.published_at === undefined,
    );
    check(
      'every event of the new escalations published',
      unpublished.map((e) => `${String(e.type)} ${String(e.id)} of ${String(e.aggregate_id)}`),
      `${events.length} events`,
    );

    // The consumers applied them.
    const applied = async (db: HubDatabase, consumer: string, eventIds: string[]) =>
      new Set(
        (
          await inBatches(
            db,
            'select event_id from processed_event where consumer = ? and event_id in ({in})',
            eventIds,
            [consumer],
          )
        ).map((r) => String(r.event_id)),
      );
    const statsEvents = events.filter((e) => STATS_EVENTS.has(String(e.type)));
    const byLearning = await applied(
      dbs.learning!,
      STATS_CONSUMER,
      statsEvents.map((e) => String(e.id)),
    );
    check(
      "the learning read model's consumer applied every one of their events",
      statsEvents
        .filter((e) => !byLearning.has(String(e.id)))
        .map((e) => `${String(e.type)} ${String(e.id)} of ${String(e.aggregate_id)}`),
      `${statsEvents.length} events applied`,
    );
    const raisedIds = events.filter((e) => e.type === 'EscalationRaised').map((e) => String(e.id));
    const byCases = await applied(dbs.cases!, CASES_CONSUMER, raisedIds);
    check(
      'the cases subgraph applied every EscalationRaised',
      raisedIds.filter((id) => !byCases.has(id)).map((id) => `EscalationRaised ${id}`),
      `${raisedIds.length} events applied`,
    );

    // The statistics read model.
    const [setting] = await sql(
      dbs.learning!,
      "select value from learning_setting where name = 'stats_key'",
    );
    if (!setting) throw new Error('learning_setting has no stats_key');
    const keyOf = (id: string) =>
      createHmac('sha256', String(setting.value)).update(id).digest('hex');
    const keys = new Map(ids.map((id) => [keyOf(id), id]));
    const rows = await inBatches(
      dbs.learning!,
      'select key, highest_stage, stages_completed from stats_escalation where key in ({in})',
      [...keys.keys()],
    );
    const rowOf = new Map(rows.map((r) => [keys.get(String(r.key))!, r]));
    const statsProblems: string[] = [];
    for (const id of ids) {
      const got = rowOf.get(id);
      const mine = stagesOf.get(id) ?? [];
      const highest = Math.max(0, ...mine.map((s) => Number(s.number)));
      const completed = mine.filter((s) => s.completed_at !== null).length;
      if (!got) statsProblems.push(`${id}: no row`);
      else if (
        Number(got.highest_stage) !== highest ||
        Number(got.stages_completed) !== completed
      ) {
        statsProblems.push(
          `${id}: highest stage ${Number(got.highest_stage)} and ${Number(got.stages_completed)} completed, not ${highest} and ${completed}`,
        );
      }
    }
    check(
      'the statistics read model has a row for every new escalation, at its stage',
      statsProblems,
      `${rows.length} rows`,
    );
    return checks;
  } finally {
    await Promise.all(Object.values(dbs).map((db) => db.close()));
  }
}

/**
 * Checks until every check passes or `timeoutSeconds` pass (the relays publish and the
 * consumers apply events a moment after the change): the last checks made.
 */
export async function awaitWrites(
  targets: Record<SubgraphName, DatabaseTarget>,
  baseline: WritesBaseline,
  answered: readonly { id: string; reference: string }[],
  timeoutSeconds: number,
): Promise<{ checks: WriteCheck[]; seconds: number }> {
  const started = performance.now();
  for (;;) {
    const checks = await checkWrites(targets, baseline, answered);
    const seconds = (performance.now() - started) / 1000;
    if (checks.every((c) => c.ok) || seconds >= timeoutSeconds) return { checks, seconds };
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}
