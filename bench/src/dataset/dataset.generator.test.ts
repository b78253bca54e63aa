import { createHash, createHmac } from 'node:crypto';
import { dueAt as hubDueAt, workingDaysBetween as hubWorkingDaysBetween } from '@hub/escalations';
import { GENESIS_HASH, hashAuditEntry } from '@hub/kit';
import { checkUpn } from '@hub/plugin-education';
import { describe, expect, it } from 'vitest';
import { dueAt, workingDaysBetween } from './calendar.js';
import { generateDataset } from './dataset.generator.js';
import { sizeSpec, type DatasetSpec } from './dataset.spec.js';
import { Random } from './prng.js';
import { BufferedSink } from './row.sink.js';
import { tableSpec, type Row, type SubgraphName, type TableSpec } from './tables.js';

/** Keeps every row in memory, as objects by column name. */
class MemorySink extends BufferedSink {
  readonly rows = new Map<string, Record<string, unknown>[]>();
  constructor() {
    super(500);
  }
  protected async write(db: SubgraphName, spec: TableSpec, rows: Row[]): Promise<void> {
    const key = `${db}.${spec.name}`;
    if (!this.rows.has(key)) this.rows.set(key, []);
    for (const row of rows)
      this.rows.get(key)!.push(Object.fromEntries(spec.columns.map(([c], i) => [c, row[i]])));
  }
  protected async commit(): Promise<void> {}
  async abort(): Promise<void> {}
  table(db: SubgraphName, name: string): Record<string, any>[] {
    tableSpec(db, name);
    return this.rows.get(`${db}.${name}`) ?? [];
  }
  digest(filter: (key: string) => boolean = () => true): string {
    const hash = createHash('sha256');
    for (const key of [...this.rows.keys()].sort().filter(filter))
      hash.update(key).update(JSON.stringify(this.rows.get(key)));
    return hash.digest('hex');
  }
}

const STATS_KEY = 'a'.repeat(64);

/** Map.groupBy, which Node 20 lacks. */
function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(item);
  }
  return groups;
}
const tiny = (changes: Partial<DatasetSpec> = {}): DatasetSpec => ({
  ...sizeSpec('S'),
  escalations: 250,
  boards: 2,
  years: 2,
  ...changes,
});

async function generate(spec: DatasetSpec) {
  const sink = new MemorySink();
  const summary = await generateDataset(spec, STATS_KEY, sink);
  await sink.finish();
  return { sink, summary };
}

const KIT_TABLES = ['outbox_event', 'processed_event', 'audit_entry'];
const entityTables = (key: string) => !KIT_TABLES.includes(key.split('.')[1]!);

describe('the dataset generator', () => {
  it('gives the same rows for the same seed, other rows for another, whatever --events and --audit', async () => {
    const first = await generate(tiny());
    const again = await generate(tiny());
    const other = await generate(tiny({ seed: 2 }));
    const quiet = await generate(tiny({ events: false, audit: false }));
    expect(again.sink.digest()).toBe(first.sink.digest());
    expect(other.sink.digest()).not.toBe(first.sink.digest());
    expect(quiet.sink.digest(entityTables)).toBe(first.sink.digest(entityTables));
    expect(quiet.sink.table('escalations', 'outbox_event')).toHaveLength(0);
    expect(quiet.sink.table('cases', 'audit_entry')).toHaveLength(0);
    expect(first.sink.table('escalations', 'outbox_event').length).toBeGreaterThan(1000);
  });

  it('writes consistent rows: keys, references, stages, outcomes, identifiers, statistics', async () => {
    const { sink, summary } = await generate(tiny());
    const t = (db: SubgraphName, name: string) => sink.table(db, name);
    const escalations = t('escalations', 'escalation');
    expect(escalations).toHaveLength(250);
    expect(summary.escalations).toBe(250);
    for (const status of ['OPEN', 'RESOLVED', 'CLOSED', 'WITHDRAWN'])
      expect(
        escalations.some((e) => e.status === status),
        status,
      ).toBe(true);

    const ids = [
      ...t('cases', 'practitioner'),
      ...t('cases', 'case_file'),
      ...escalations,
      ...t('escalations', 'escalation_stage'),
      ...t('escalations', 'escalation_record'),
    ].map((row) => row.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids)
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

    const people = new Map(t('cases', 'practitioner').map((p) => [p.id, p]));
    const involved = new Set(
      t('cases', 'case_agency').map((ca) => `${ca.case_id}:${ca.agency_id}`),
    );
    const stagesOf = groupBy(t('escalations', 'escalation_stage'), (s) => s.escalation_id);
    const outcomes = new Map(t('escalations', 'agreed_outcome').map((o) => [o.escalation_id, o]));
    const confirmations = groupBy(t('escalations', 'outcome_confirmation'), (c) => c.escalation_id);
    for (const e of escalations) {
      // Raised by a practitioner of an agency involved in the case, against another involved one.
      expect(people.get(e.raised_by_id)?.agency_id).toBe(e.raising_agency_id);
      expect(involved.has(`${e.case_id}:${e.raising_agency_id}`)).toBe(true);
      expect(involved.has(`${e.case_id}:${e.responding_agency_id}`)).toBe(true);
      const stages = stagesOf.get(e.id)!.sort((a, b) => a.number - b.number);
      stages.forEach((s, i) => {
        if (i > 0) expect(s.number).toBe(stages[i - 1]!.number + 1);
        expect(s.due_at).toBe(
          hubDueAt(e.region, new Date(s.entered_at), [3, 5, 5, 10][s.number - 1]!).getTime(),
        );
      });
      const open = stages.filter((s) => s.completed_at === null);
      if (e.status === 'OPEN') {
        expect(open.map((s) => s.number)).toEqual([e.current_stage_number]);
        expect(e.current_stage_due_at).toBe(open[0]!.due_at);
      } else expect(open).toHaveLength(0);
      expect(outcomes.has(e.id)).toBe(e.status === 'RESOLVED' || e.status === 'CLOSED');
      const confirmed = confirmations.get(e.id)?.length ?? 0;
      if (e.status === 'CLOSED') expect(confirmed).toBe(2);
      else expect(confirmed).toBeLessThan(2);
      if (e.status === 'CLOSED')
        expect(e.closed_at).toBe(Math.max(...confirmations.get(e.id)!.map((c) => c.confirmed_at)));
      for (const s of stages) {
        // Overdue once, and only when late.
        const late = (s.completed_at ?? Date.parse('2026-11-02')) > s.due_at;
        expect(s.overdue_emitted_at !== null).toBe(late);
      }
    }

    // References: per board, prefix and year, numbered 1..n in the order raised, and the
    // counter's last is n.
    const counters = [...t('cases', 'reference_counter'), ...t('escalations', 'reference_counter')];
    for (const [rows, prefix, at] of [
      [t('cases', 'case_file'), 'CASE', 'created_at'],
      [escalations, 'ESC', 'raised_at'],
    ] as const) {
      for (const [key, group] of groupBy(
        rows as Record<string, any>[],
        (r) => `${r.board_id}:${r.reference.slice(0, prefix.length + 5)}`,
      )) {
        const [board] = key.split(':');
        const year = Number(group[0]!.reference.slice(prefix.length + 1, prefix.length + 5));
        const numbers = [...group]
          .sort((a, b) => a[at] - b[at])
          .map((r) => Number(r.reference.slice(-6)));
        expect(numbers).toEqual(numbers.map((_, i) => i + 1));
        expect(
          counters.find((c) => c.board_id === board && c.prefix === prefix && c.year === year)
            ?.last,
        ).toBe(group.length);
      }
    }

    // Identifiers that pass the hub's and the DfE's checks, unique on the board.
    const identifiers = t('cases', 'child_identifier');
    expect(new Set(identifiers.map((i) => `${i.board_id}:${i.system}:${i.value}`)).size).toBe(
      identifiers.length,
    );
    for (const { system, value } of identifiers) {
      if (system === 'upn') expect(checkUpn(value).ok, value).toBe(true);
      else {
        const sum = [...value.slice(0, 9)].reduce((total, d, i) => total + Number(d) * (10 - i), 0);
        expect((11 - (sum % 11)) % 11, value).toBe(Number(value[9]));
      }
    }

    // The statistics: one row per escalation, keyed by the HMAC of its id.
    const stats = t('learning', 'stats_escalation');
    expect(new Set(stats.map((s) => s.key))).toEqual(
      new Set(escalations.map((e) => createHmac('sha256', STATS_KEY).update(e.id).digest('hex'))),
    );
  });

  it('writes the outbox in time order and an audit chain the kit verifies', async () => {
    const { sink } = await generate(tiny({ escalations: 150 }));
    for (const db of ['cases', 'escalations', 'panels', 'learning'] as const) {
      const events = sink.table(db, 'outbox_event');
      expect(events.length).toBeGreaterThan(0);
      events.forEach((e, i) => {
        if (i > 0) expect(e.occurred_at).toBeGreaterThanOrEqual(events[i - 1]!.occurred_at);
      });
      let previous = GENESIS_HASH;
      for (const entry of sink.table(db, 'audit_entry')) {
        expect(entry.prev_hash).toBe(previous);
        const hash = hashAuditEntry({
          at: new Date(entry.at),
          actorKind: entry.actor_kind,
          actorId: entry.actor_id,
          agencyId: entry.agency_id,
          ip: entry.ip,
          correlationId: entry.correlation_id,
          action: entry.action,
          entityType: entry.entity_type,
          entityIds: JSON.parse(entry.entity_ids),
          prevHash: entry.prev_hash,
        });
        expect(entry.hash).toBe(hash);
        previous = hash;
      }
    }
  });

  it("counts working days and due dates exactly as the escalations subgraph's calendar", () => {
    const random = new Random(7);
    for (let i = 0; i < 300; i += 1) {
      const region = random.pick(['GB-ENG', 'GB-WLS', 'GB-SCT', 'GB-NIR'] as const);
      const from = Date.parse('2021-06-01') + random.next() * 5 * 365 * 86_400_000;
      const to = from + random.next() * 120 * 86_400_000;
      const days = random.int(1, 30);
      expect(workingDaysBetween(region, from, to)).toBe(
        hubWorkingDaysBetween(region, new Date(from), new Date(to)),
      );
      expect(dueAt(region, from, days)).toBe(hubDueAt(region, new Date(from), days).getTime());
    }
  });

  it('refuses a spec it cannot generate, naming the field', async () => {
    await expect(generate(tiny({ escalations: 0 }))).rejects.toThrow(/escalations/);
    await expect(generate(tiny({ boards: 99 }))).rejects.toThrow(/boards/);
  });
});
