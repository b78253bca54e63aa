import { createHash, createHmac } from 'node:crypto';
import {
  consultationText,
  DEFAULT_PANEL_AGENCY_COUNT,
  DEFAULT_STAGES,
  panelOutcomeText,
  type CalendarRegion,
} from '@hub/escalations';
import { SHIPPED_THEMES } from '@hub/learning';
import { AgencyKind, PlanType, Role } from '@hub/schema';
import {
  DAY_MS,
  dayOf,
  dueAt,
  londonDate,
  londonMonth,
  londonTime,
  londonYear,
  weekday,
  workingDaysBetween,
} from './calendar.js';
import { PROPORTIONS, type DatasetSpec } from './dataset.spec.js';
import { nhsNumber, upn } from './identifiers.js';
import { Random, Weighted } from './prng.js';
import type { RowSink } from './row.sink.js';
import type { SubgraphName } from './tables.js';
import { Timeline } from './timeline.js';
import { personName, PLACES, text } from './vocabulary.js';

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;
/** The address the audit log records for requests (the gateway's client). */
const CLIENT_IP = '127.0.0.1';
const ADMIN = { kind: 'admin', id: 'admin', agencyId: null } as const;
const GENESIS_HASH = '0'.repeat(64);

/** Who consumes which event (and so has a processed_event marker for it), as the subgraphs subscribe. */
const CONSUMERS: Record<string, [SubgraphName, string][]> = {
  BoardCreated: [['escalations', 'escalations']],
  EscalationRaised: [
    ['cases', 'cases'],
    ['learning', 'learning-stats'],
  ],
  StageEntered: [['learning', 'learning-stats']],
  StageCompleted: [['learning', 'learning-stats']],
  EscalationResolved: [['learning', 'learning-stats']],
  PanelConvened: [
    ['cases', 'cases'],
    ['escalations', 'escalations'],
    ['learning', 'learning-stats'],
  ],
  PanelDecided: [['escalations', 'escalations']],
  EscalationTagged: [['learning', 'learning-stats']],
};

interface Person {
  id: string;
  name: string;
  roles: Role[];
  agency: AgencyState;
  manager: Person | null;
}

interface AgencyState {
  id: string;
  name: string;
  kind: AgencyKind;
  board: BoardState;
  practitioners: Person[];
  lineManagers: Person[];
  lead: Person;
  senior: Person;
  panelRep: Person;
}

interface CaseState {
  id: string;
  openedAt: number;
  agencies: AgencyState[];
}

interface BoardState {
  index: number;
  id: string;
  name: string;
  region: CalendarRegion;
  agencies: AgencyState[];
  managers: Person[];
  caseCounts: number[];
  escalationCounts: number[];
  amendmentDays: Set<number>;
  /** Cases opened within the window an escalation may pick from, oldest first. */
  pool: CaseState[];
  /** The latest escalations raised, evidence for protocol amendments. */
  recent: string[];
  counters: Map<string, number>;
  nextChild: number;
}

interface StageRow {
  id: string;
  number: number;
  enteredAt: number;
  dueAt: number;
  completedAt: number | null;
  result: string | null;
  entryReason: string | null;
  overdueAt: number | null;
}

type Pending =
  | {
      db: SubgraphName;
      kind: 'event';
      id: string;
      type: string;
      aggregateId: string;
      payload: string;
    }
  | {
      db: SubgraphName;
      kind: 'audit';
      actorKind: string;
      actorId: string;
      agencyId: string | null;
      ip: string | null;
      correlationId: string;
      action: string;
      entityType: string;
      entityIds: string[];
    };

interface Actor {
  kind: string;
  id: string;
  agencyId: string | null;
}

const as = (person: Person): Actor => ({
  kind: 'practitioner',
  id: person.id,
  agencyId: person.agency.id,
});

/** What a run generated, for the command's report and the tests. */
export interface DatasetSummary {
  boards: number;
  agencies: number;
  practitioners: number;
  cases: number;
  escalations: number;
  byStatus: Record<string, number>;
  panels: number;
  overdueOpenStages: number;
  events: number;
  auditEntries: number;
}

const STATUSES = ['OPEN', 'RESOLVED', 'CLOSED', 'WITHDRAWN'];

/**
 * Generates the whole dataset into `sink`, day by day from the oldest case to the epoch: the
 * directory first, then each day's cases and escalations across all boards in the order they
 * happened. An escalation's life (stages, records, panel, outcome, confirmations, tags, debrief)
 * is played out when it is raised, stopping at whatever falls after the epoch; its rows go to the
 * sink at once, its events and audit entries wait in a timeline until their time comes, so the
 * outbox and the audit chain read in time order. `statsKey` is the learning database's
 * `learning_setting.stats_key`, which keys the statistics rows.
 */
export async function generateDataset(
  spec: DatasetSpec,
  statsKey: string,
  sink: RowSink,
  onMonth?: (month: string, summary: Readonly<DatasetSummary>) => void,
): Promise<DatasetSummary> {
  const generator = new DatasetGenerator(spec, statsKey, sink, onMonth);
  return generator.run();
}

class DatasetGenerator {
  private readonly random: Random;
  /** Event ids and correlation ids: a stream of their own, so --events and --audit change no other value. */
  private readonly meta: Random;
  private readonly timeline = new Timeline<Pending>();
  private readonly lastHash = new Map<SubgraphName, string>();
  private readonly epoch: number;
  private readonly firstRaiseDay: number;
  private readonly firstCaseDay: number;
  private readonly lastDay: number;
  private readonly boards: BoardState[] = [];
  private readonly themeBits = new Map(SHIPPED_THEMES.map((theme) => [theme.code, theme.bit]));
  private readonly summary: DatasetSummary = {
    boards: 0,
    agencies: 0,
    practitioners: 0,
    cases: 0,
    escalations: 0,
    byStatus: Object.fromEntries(STATUSES.map((status) => [status, 0])),
    panels: 0,
    overdueOpenStages: 0,
    events: 0,
    auditEntries: 0,
  };
  private readonly category = new Weighted(PROPORTIONS.category);
  private readonly finalStage = new Weighted(PROPORTIONS.finalStage);
  private readonly ending = new Weighted(PROPORTIONS.ending);
  private readonly plan = new Weighted<PlanType>([
    [PlanType.CHILD_IN_NEED, 35],
    [PlanType.CHILD_PROTECTION, 30],
    [PlanType.EARLY_HELP, 20],
    [PlanType.LOOKED_AFTER, 10],
    [PlanType.NONE, 5],
  ]);
  private readonly themes = new Weighted<string>([
    ['INFORMATION_SHARING', 20],
    ['COMMUNICATION', 15],
    ['THRESHOLDS', 12],
    ['RISK_ASSESSMENT', 10],
    ['ROLES_AND_RESPONSIBILITIES', 8],
    ['PROFESSIONAL_CURIOSITY', 7],
    ['ESCALATION_PROCESS', 6],
    ['VOICE_OF_THE_CHILD', 5],
    ['WHOLE_FAMILY_RISK', 4],
    ['NEGLECT', 4],
    ['CHALLENGE_CULTURE', 3],
    ['RECORD_KEEPING', 3],
    ['SERVICE_PROVISION', 3],
    ['TRANSITIONS', 2],
    ['RISKS_OUTSIDE_THE_HOME', 2],
    ['CHILDREN_NOT_IN_SCHOOL', 2],
    ['DISGUISED_COMPLIANCE', 1],
  ]);

  constructor(
    private readonly spec: DatasetSpec,
    private readonly statsKey: string,
    private readonly sink: RowSink,
    /** Called as each month's last day has been generated (progress for long loads). */
    private readonly onMonth?: (month: string, summary: Readonly<DatasetSummary>) => void,
  ) {
    if (!Number.isInteger(spec.escalations) || spec.escalations < 1)
      throw new Error('escalations must be a whole number of at least 1');
    if (!Number.isInteger(spec.boards) || spec.boards < 1 || spec.boards > PLACES.length)
      throw new Error(`boards must be from 1 to ${PLACES.length}`);
    this.random = new Random(spec.seed);
    this.meta = new Random(spec.seed ^ 0x5bd1e995);
    this.epoch = spec.epoch.getTime();
    this.lastDay = dayOf(this.epoch) - 1;
    this.firstRaiseDay = this.lastDay - Math.round(spec.years * 365.25) + 1;
    this.firstCaseDay = this.firstRaiseDay - PROPORTIONS.caseWindowDays;
  }

  async run(): Promise<DatasetSummary> {
    this.directory();
    for (let day = this.firstCaseDay; day <= this.lastDay; day += 1) {
      for (const board of this.boards) {
        const opened = this.timesOn(day, board.caseCounts[day - this.firstCaseDay]!);
        for (const at of opened) this.openCase(board, at);
      }
      if (day >= this.firstRaiseDay) {
        const raised: [number, BoardState][] = [];
        for (const board of this.boards) {
          for (const at of this.timesOn(day, board.escalationCounts[day - this.firstRaiseDay]!))
            raised.push([at, board]);
        }
        raised.sort((a, b) => a[0] - b[0] || a[1].index - b[1].index);
        for (const [at, board] of raised) this.raise(board, at);
        for (const board of this.boards) {
          if (board.amendmentDays.has(day)) this.amendment(board, londonTime(day, 14));
        }
      }
      this.timeline.takeUntil((day + 1) * DAY_MS, (item, at) => this.write(item, at));
      await this.sink.drain();
      const date = new Date(day * DAY_MS).toISOString();
      if (this.onMonth && new Date((day + 1) * DAY_MS).getUTCDate() === 1)
        this.onMonth(date.slice(0, 7), this.summary);
    }
    this.timeline.takeUntil(Number.POSITIVE_INFINITY, (item, at) => this.write(item, at));
    for (const board of this.boards) {
      for (const [key, last] of [...board.counters].sort()) {
        const [prefix, year] = key.split(':') as [string, string];
        this.sink.add(prefix === 'CASE' ? 'cases' : 'escalations', 'reference_counter', [
          board.id,
          prefix,
          Number(year),
          last,
        ]);
      }
    }
    return this.summary;
  }

  // ------------------------------------------------------------------ the directory

  private directory(): void {
    const r = this.random;
    const created = (this.firstCaseDay - 21) * DAY_MS + 9 * HOUR_MS;
    let clock = created;
    const tick = () => (clock += 1000);
    const regions: CalendarRegion[] = ['GB-ENG', 'GB-ENG', 'GB-ENG', 'GB-WLS', 'GB-ENG', 'GB-SCT'];
    const sizes = this.split(
      this.spec.escalations,
      Array.from({ length: this.spec.boards }, (_, i) => 1 / (1 + 0.12 * i)),
    );
    for (let index = 0; index < this.spec.boards; index += 1) {
      const place = PLACES[index]!;
      const region = index === 9 ? 'GB-NIR' : regions[index % regions.length]!;
      const board: BoardState = {
        index,
        id: r.uuid(),
        name: `${place} Safeguarding Children Partnership`,
        region,
        agencies: [],
        managers: [],
        caseCounts: [],
        escalationCounts: [],
        amendmentDays: new Set(),
        pool: [],
        recent: [],
        counters: new Map(),
        nextChild: 0,
      };
      this.boards.push(board);
      const at = tick();
      this.sink.add('cases', 'board', [board.id, board.name, region, index % 7 === 6 ? 10 : 5, at]);
      const cid = this.request();
      this.event('cases', at, 'BoardCreated', board.id, () => ({ boardId: board.id, region }));
      this.audit('cases', at, ADMIN, cid, 'board.create', 'Board', [board.id]);
      this.sink.add('escalations', 'escalation_policy', [
        r.uuid(),
        board.id,
        1,
        JSON.stringify(DEFAULT_STAGES),
        DEFAULT_PANEL_AGENCY_COUNT,
        at,
        'hub',
      ]);

      const escalations = sizes[index]!;
      const schools = Math.min(12, 2 + Math.floor(escalations / 4000));
      const staff = Math.max(2, Math.round(escalations / 1500));
      const agencies: [AgencyKind, string][] = [
        [AgencyKind.POLICE, `${place} Police`],
        [AgencyKind.HEALTH, `${place} NHS Foundation Trust`],
        [AgencyKind.HEALTH, `${place} Community Health Services`],
        [AgencyKind.CHILDRENS_SOCIAL_CARE, `${place} Children's Social Care`],
        [AgencyKind.EARLY_HELP, `${place} Early Help Service`],
        [AgencyKind.PROBATION, `${place} Probation Service`],
        [AgencyKind.YOUTH_JUSTICE, `${place} Youth Justice Service`],
        [AgencyKind.HOUSING, `${place} Homes`],
        [AgencyKind.VOLUNTARY_SECTOR, `${place} Family Action`],
        [AgencyKind.VOLUNTARY_SECTOR, `${place} Young Carers`],
        [AgencyKind.OTHER, `${place} Safeguarding Partnership Business Unit`],
        ...Array.from(
          { length: schools },
          (_, i) =>
            [
              AgencyKind.EDUCATION,
              i % 3 === 0 ? `${place} Academy ${i + 1}` : `${place} Primary School ${i + 1}`,
            ] as [AgencyKind, string],
        ),
      ];
      for (const [kind, name] of agencies) {
        const agency = this.createAgency(board, kind, name, tick);
        const frontLine =
          kind === AgencyKind.OTHER
            ? 0
            : kind === AgencyKind.EDUCATION
              ? Math.max(2, Math.round(staff / 2))
              : kind === AgencyKind.CHILDRENS_SOCIAL_CARE
                ? staff * 3
                : staff;
        this.staffAgency(agency, frontLine, tick);
      }
      this.summary.boards += 1;

      board.caseCounts = this.dailyCounts(
        Math.round(escalations * PROPORTIONS.casesPerEscalation),
        this.firstCaseDay,
      );
      board.escalationCounts = this.dailyCounts(escalations, this.firstRaiseDay);
      const amendments = Math.max(1, Math.round(this.spec.years * PROPORTIONS.amendmentsPerYear));
      while (board.amendmentDays.size < amendments) {
        const day = r.int(this.firstRaiseDay + 60, this.lastDay);
        if (weekday(day) !== 0 && weekday(day) !== 6) board.amendmentDays.add(day);
      }
    }
  }

  private createAgency(
    board: BoardState,
    kind: AgencyKind,
    name: string,
    tick: () => number,
  ): AgencyState {
    const at = tick();
    const agency = {
      id: this.random.uuid(),
      name,
      kind,
      board,
      practitioners: [],
      lineManagers: [],
    };
    this.sink.add('cases', 'agency', [agency.id, board.id, name, kind, at]);
    const cid = this.request();
    this.event('cases', at, 'AgencyCreated', agency.id, () => ({
      agencyId: agency.id,
      boardId: board.id,
      kind,
    }));
    this.audit('cases', at, ADMIN, cid, 'agency.create', 'Agency', [agency.id]);
    this.summary.agencies += 1;
    const state = agency as unknown as AgencyState;
    board.agencies.push(state);
    return state;
  }

  /**
   * An agency's people: a senior manager, a safeguarding lead, a panel representative, line
   * managers (one per six) and front-line practitioners under them, and an INTEGRATION account;
   * the business unit has the board managers, analysts and an administrator instead.
   */
  private staffAgency(agency: AgencyState, frontLine: number, tick: () => number): void {
    const add = (roles: Role[], manager: Person | null, label?: string): Person => {
      const person: Person = {
        id: this.random.uuid(),
        name: label ?? personName(this.random),
        roles,
        agency,
        manager,
      };
      const at = tick();
      const email = `${person.name.toLowerCase().replace(/[^a-z]+/g, '.')}.${this.summary.practitioners + 1}@${agency.board.index + 1}.hub.example.org`;
      this.sink.add('cases', 'practitioner', [
        person.id,
        agency.id,
        agency.board.id,
        person.name,
        email,
        JSON.stringify(roles),
        manager?.id ?? null,
        true,
        1,
        at,
        null,
      ]);
      const cid = this.request();
      this.event('cases', at, 'PractitionerCreated', person.id, () => ({
        practitionerId: person.id,
        agencyId: agency.id,
        boardId: agency.board.id,
        roles,
        lineManagerId: manager?.id ?? null,
      }));
      this.audit('cases', at, ADMIN, cid, 'practitioner.create', 'Practitioner', [person.id]);
      this.summary.practitioners += 1;
      return person;
    };
    if (agency.kind === AgencyKind.OTHER) {
      const lead = add([Role.BOARD_MANAGER], null);
      agency.board.managers.push(lead, add([Role.BOARD_MANAGER], lead));
      add([Role.ANALYST], lead);
      add([Role.ANALYST], lead);
      add([Role.ADMIN], lead);
      agency.senior = lead;
      agency.lead = lead;
      agency.panelRep = add([Role.PANEL_MEMBER], lead);
      agency.lineManagers.push(lead);
    } else {
      agency.senior = add([Role.SENIOR_MANAGER], null);
      agency.lead = add([Role.SAFEGUARDING_LEAD], agency.senior);
      agency.panelRep = add([Role.PANEL_MEMBER], agency.senior);
      const managers = Math.max(1, Math.ceil(frontLine / 6));
      for (let i = 0; i < managers; i += 1)
        agency.lineManagers.push(add([Role.LINE_MANAGER], agency.senior));
      for (let i = 0; i < frontLine; i += 1)
        agency.practitioners.push(add([Role.PRACTITIONER], agency.lineManagers[i % managers]!));
    }
    add([Role.INTEGRATION], null, `${agency.name} integration`);
  }

  // ------------------------------------------------------------------ when things happen

  /** Splits `total` by `weights` into whole numbers that add up to it exactly. */
  private split(total: number, weights: number[]): number[] {
    const sum = weights.reduce((a, b) => a + b, 0);
    let cumulative = 0;
    let given = 0;
    return weights.map((weight) => {
      cumulative += weight;
      const upTo = Math.round((total * cumulative) / sum);
      const share = upTo - given;
      given = upTo;
      return share;
    });
  }

  /**
   * How many things happen on each day from `firstDay` to the last: weekdays far more than
   * weekends, fewer in August and over Christmas, growing over the years as the procedure is
   * used more, with day-to-day noise.
   */
  private dailyCounts(total: number, firstDay: number): number[] {
    const days = this.lastDay - firstDay + 1;
    const weights: number[] = [];
    for (let i = 0; i < days; i += 1) {
      const day = firstDay + i;
      const date = new Date(day * DAY_MS);
      const dow = weekday(day);
      let weight = dow === 0 ? 0.04 : dow === 6 ? 0.06 : 1;
      if (date.getUTCMonth() === 7) weight *= 0.75;
      if (
        (date.getUTCMonth() === 11 && date.getUTCDate() >= 22) ||
        (date.getUTCMonth() === 0 && date.getUTCDate() <= 2)
      )
        weight *= 0.4;
      weight *= 0.6 + (0.8 * i) / days;
      weight *= 0.6 + 0.8 * this.random.next();
      weights.push(weight);
    }
    return this.split(total, weights);
  }

  /** `count` instants on `day`, in working hours, in order. */
  private timesOn(day: number, count: number): number[] {
    const times: number[] = [];
    for (let i = 0; i < count; i += 1) {
      times.push(Math.floor(londonTime(day, this.random.between(8, 18.5)) / 1000) * 1000);
    }
    return times.sort((a, b) => a - b);
  }

  /** An instant `days` (fractional) after `from`, moved into working hours on its day. */
  private later(from: number, minDays: number, maxDays: number): number {
    const at = from + this.random.between(minDays, maxDays) * DAY_MS;
    const day = dayOf(at + 3 * HOUR_MS);
    const moved = Math.floor(londonTime(day, this.random.between(8.5, 17.5)) / 1000) * 1000;
    return Math.max(moved, from + MINUTE_MS);
  }

  private nextReference(board: BoardState, prefix: string, at: number): string {
    const year = londonYear(at);
    const key = `${prefix}:${year}`;
    const next = (board.counters.get(key) ?? 0) + 1;
    board.counters.set(key, next);
    return `${prefix}-${year}-${String(next).padStart(6, '0')}`;
  }

  // ------------------------------------------------------------------ events and audit

  private request(): string {
    return this.spec.audit ? this.meta.uuid() : '';
  }

  private event(
    db: SubgraphName,
    at: number,
    type: string,
    aggregateId: string,
    payload: () => Record<string, unknown>,
  ): string {
    // The payload is built only when it is written: L skips events, and building them costs.
    if (!this.spec.events) return this.spec.audit ? this.meta.uuid() : '';
    const id = this.meta.uuid();
    this.timeline.push(at, {
      db,
      kind: 'event',
      id,
      type,
      aggregateId,
      payload: JSON.stringify(payload()),
    });
    for (const [consumerDb, consumer] of CONSUMERS[type] ?? [])
      this.sink.add(consumerDb, 'processed_event', [consumer, id, at + 40]);
    return id;
  }

  private audit(
    db: SubgraphName,
    at: number,
    actor: Actor,
    correlationId: string,
    action: string,
    entityType: string,
    entityIds: string[],
    ip: string | null = CLIENT_IP,
  ): void {
    if (!this.spec.audit) return;
    this.timeline.push(at, {
      db,
      kind: 'audit',
      actorKind: actor.kind,
      actorId: actor.id,
      agencyId: actor.agencyId,
      ip,
      correlationId,
      action,
      entityType,
      entityIds,
    });
  }

  /** Writes an event or audit entry whose time has come (the audit entry chained to the last). */
  private write(item: Pending, at: number): void {
    if (item.kind === 'event') {
      // The relay publishes an event a moment after its transaction commits.
      this.sink.add(item.db, 'outbox_event', [
        item.id,
        item.type,
        item.aggregateId,
        item.payload,
        at,
        at + 20,
        0,
      ]);
      this.summary.events += 1;
      return;
    }
    const prevHash = this.lastHash.get(item.db) ?? GENESIS_HASH;
    const hash = createHash('sha256')
      .update(
        JSON.stringify([
          prevHash,
          new Date(at).toISOString(),
          item.actorKind,
          item.actorId,
          item.agencyId,
          item.ip,
          item.correlationId,
          item.action,
          item.entityType,
          item.entityIds,
        ]),
      )
      .digest('hex');
    this.lastHash.set(item.db, hash);
    this.sink.add(item.db, 'audit_entry', [
      at,
      item.actorKind,
      item.actorId,
      item.agencyId,
      item.ip,
      item.correlationId,
      item.action,
      item.entityType,
      JSON.stringify(item.entityIds),
      prevHash,
      hash,
    ]);
    this.summary.auditEntries += 1;
  }

  // ------------------------------------------------------------------ cases

  private openCase(board: BoardState, at: number): CaseState {
    const r = this.random;
    const plan = this.plan.draw(r);
    const byKind = (kind: AgencyKind) => board.agencies.filter((a) => a.kind === kind);
    const lead =
      plan === PlanType.EARLY_HELP
        ? byKind(AgencyKind.EARLY_HELP)[0]!
        : plan === PlanType.NONE
          ? null
          : byKind(AgencyKind.CHILDRENS_SOCIAL_CARE)[0]!;
    const involved = new Set<AgencyState>(lead ? [lead] : []);
    const chances: [AgencyKind, number][] = [
      [AgencyKind.EDUCATION, 0.9],
      [AgencyKind.HEALTH, 0.85],
      [AgencyKind.POLICE, 0.6],
      [AgencyKind.CHILDRENS_SOCIAL_CARE, 0.5],
      [AgencyKind.EARLY_HELP, 0.3],
      [AgencyKind.HOUSING, 0.2],
      [AgencyKind.VOLUNTARY_SECTOR, 0.15],
      [AgencyKind.YOUTH_JUSTICE, 0.1],
      [AgencyKind.PROBATION, 0.08],
    ];
    for (const [kind, p] of chances) if (r.chance(p)) involved.add(r.pick(byKind(kind)));
    while (involved.size < 3) involved.add(r.pick(byKind(r.pick(chances)[0])));
    const agencies = [...involved];
    const openerAgency = lead ?? agencies[0]!;
    const opener = r.pick(
      openerAgency.practitioners.length ? openerAgency.practitioners : [openerAgency.lead],
    );

    const child = r.uuid();
    const born = at - r.between(0.2, 17.9) * 365.25 * DAY_MS;
    this.sink.add('cases', 'child_subject', [child, board.id, personName(r), londonDate(born), at]);
    if (r.chance(0.9)) {
      let nhs: string | null = null;
      while (nhs === null) nhs = nhsNumber(board.index, board.nextChild++);
      this.sink.add('cases', 'child_identifier', [r.uuid(), child, board.id, 'nhs-number', nhs]);
    }
    if (at - born > 4 * 365 * DAY_MS && r.chance(0.7)) {
      this.sink.add('cases', 'child_identifier', [
        r.uuid(),
        child,
        board.id,
        'upn',
        upn(board.index, this.summary.cases),
      ]);
    }
    const id = r.uuid();
    this.sink.add('cases', 'case_file', [
      id,
      this.nextReference(board, 'CASE', at),
      board.id,
      child,
      plan,
      lead?.id ?? null,
      opener.id,
      at,
    ]);
    for (const agency of agencies)
      this.sink.add('cases', 'case_agency', [id, agency.id, opener.id, at]);
    const cid = this.request();
    this.event('cases', at, 'CaseCreated', id, () => ({
      caseId: id,
      boardId: board.id,
      planType: plan,
      leadAgencyId: lead?.id ?? null,
      agencyIds: agencies.map((a) => a.id),
    }));
    this.audit('cases', at, as(opener), cid, 'case.create', 'Case', [id]);
    this.summary.cases += 1;
    const state = { id, openedAt: at, agencies };
    board.pool.push(state);
    return state;
  }

  /** A case of the board opened before `at` and within the window; opens one if there is none. */
  private caseFor(board: BoardState, at: number): CaseState {
    const pool = board.pool;
    const oldest = at - PROPORTIONS.caseWindowDays * DAY_MS;
    let drop = 0;
    while (drop < pool.length - 1 && pool[drop]!.openedAt < oldest) drop += 1;
    if (drop > 0) pool.splice(0, drop);
    let eligible = pool.length;
    while (eligible > 0 && pool[eligible - 1]!.openedAt >= at) eligible -= 1;
    if (eligible === 0) return this.openCase(board, at - MINUTE_MS);
    return pool[Math.floor(this.random.next() * eligible)]!;
  }

  // ------------------------------------------------------------------ escalations

  private raise(board: BoardState, raisedAt: number): void {
    const r = this.random;
    const theCase = this.caseFor(board, raisedAt);
    const raising = drawAgency(r, theCase.agencies, PROPORTIONS.raisingKind, null);
    const responding = drawAgency(r, theCase.agencies, PROPORTIONS.respondingKind, raising);
    const raiser = r.pick(raising.practitioners.length ? raising.practitioners : [raising.lead]);
    const respondent = r.chance(PROPORTIONS.respondentNamed)
      ? r.pick(responding.practitioners.length ? responding.practitioners : [responding.lead])
      : null;
    const category = this.category.draw(r);
    const ground = r.chance(PROPORTIONS.decisionChallenge)
      ? 'DECISION_CHALLENGE'
      : 'ACTION_NOT_TAKEN';
    const immediateRisk = r.chance(PROPORTIONS.immediateRisk);
    const startStage = immediateRisk ? r.pick([1, 2, 2, 3]) : 1;
    const finalStage = Math.max(startStage, this.finalStage.draw(r));
    const ending = this.ending.draw(r);
    const id = r.uuid();
    const reference = this.nextReference(board, 'ESC', raisedAt);
    const summary = text.concern(r);
    const desiredOutcome = text.outcome(r);
    const region = board.region;
    const facts = {
      escalationId: id,
      boardId: board.id,
      category,
      ground,
      raisingAgencyKind: raising.kind,
      respondingAgencyKind: responding.kind,
      immediateRisk,
      policyVersion: 1,
      raisedAt: new Date(raisedAt).toISOString(),
    };
    const sharedWith = JSON.stringify(respondent ? [raiser.id, respondent.id] : [raiser.id]);
    const stages: StageRow[] = [];
    let version = 1;
    let status = 'OPEN';
    let closedAt: number | null = null;
    let agreed: { at: number; stage: number; by: Person } | null = null;
    let panelConvened = false;
    let tagRevision = 0;
    let themeMask = 0;

    const record = (
      stageNumber: number,
      kind: string,
      author: Person,
      body: string,
      occurredAt: number,
      recordedAt = occurredAt,
      sequence = 0,
    ) => {
      const recordId = r.uuid();
      this.sink.add('escalations', 'escalation_record', [
        recordId,
        id,
        stageNumber,
        kind,
        author.id,
        body,
        occurredAt,
        recordedAt,
        sharedWith,
        sequence,
      ]);
      return recordId;
    };
    const enter = (number: number, at: number, reason: string | null): StageRow => {
      const definition = DEFAULT_STAGES[number - 1]!;
      const stage: StageRow = {
        id: r.uuid(),
        number,
        enteredAt: at,
        dueAt: dueAt(region, at, definition.timescaleWorkingDays),
        completedAt: null,
        result: null,
        entryReason: reason,
        overdueAt: null,
      };
      stages.push(stage);
      return stage;
    };
    const stageEvent = (type: string, stage: StageRow, at: number) =>
      this.event('escalations', at, type, id, () => ({
        ...facts,
        stageNumber: stage.number,
        enteredAt: new Date(stage.enteredAt).toISOString(),
        dueAt: new Date(stage.dueAt).toISOString(),
        ...(stage.completedAt !== null && {
          completedAt: new Date(stage.completedAt).toISOString(),
          result: stage.result,
          withinTimescale: stage.completedAt <= stage.dueAt,
        }),
      }));
    /** The scheduler marks a stage overdue within its minute; a late completion does if it has not. */
    const markOverdue = (stage: StageRow, until: number) => {
      if (stage.dueAt >= until) return;
      const at = Math.min(stage.dueAt + r.int(1, 59) * 1000, until);
      stage.overdueAt = at;
      this.event('escalations', at, 'StageOverdue', id, () => ({
        ...facts,
        stageNumber: stage.number,
        enteredAt: new Date(stage.enteredAt).toISOString(),
        dueAt: new Date(stage.dueAt).toISOString(),
      }));
    };
    const complete = (stage: StageRow, at: number, result: string) => {
      markOverdue(stage, at);
      stage.completedAt = at;
      stage.result = result;
    };
    const authorAt = (stageNumber: number): Person => {
      switch (stageNumber) {
        case 1:
          return r.chance(0.5) ? raiser : (respondent ?? r.pick(staffOf(responding)));
        case 2:
          return r.chance(0.5)
            ? (raiser.manager ?? raising.lead)
            : r.pick([...responding.lineManagers, responding.lead]);
        case 3:
          return r.pick([raising.senior, raising.lead, responding.senior, responding.lead]);
        default:
          return board.managers[0]!;
      }
    };

    // Raised: the escalation, its first stage, the concern (and the consultation of a later start).
    let cid = this.request();
    const justification = startStage > 1 ? text.justification(r) : null;
    const consulted = startStage > 1 ? (raiser.manager ?? raising.lead) : null;
    let current = enter(startStage, raisedAt, justification ? justification.trim() : null);
    record(startStage, 'CONCERN_RAISED', raiser, summary, raisedAt);
    if (consulted && justification) {
      record(
        startStage,
        'CONSULTATION',
        raiser,
        consultationText({
          stageNumber: startStage,
          stageName: DEFAULT_STAGES[startStage - 1]!.name,
          justification,
          consulted,
        }),
        raisedAt,
        raisedAt,
        1,
      );
    }
    this.event('escalations', raisedAt, 'EscalationRaised', id, () => ({
      ...facts,
      startStage,
      caseId: theCase.id,
      respondingAgencyId: responding.id,
    }));
    stageEvent('StageEntered', current, raisedAt);
    this.audit('escalations', raisedAt, as(raiser), cid, 'escalation.raise', 'Escalation', [id]);

    const write = (stageNumber: number, author: Person, kind: string, body: string, at: number) => {
      const occurredAt = r.chance(0.3)
        ? Math.max(current.enteredAt, Math.floor(at - r.between(1, 48) * HOUR_MS))
        : at;
      const recordId = record(stageNumber, kind, author, body, occurredAt, at);
      this.event('escalations', at, 'EscalationRecordAdded', id, () => ({
        ...facts,
        stageNumber,
        kind,
      }));
      this.audit('escalations', at, as(author), this.request(), 'escalation.record', 'Escalation', [
        id,
        recordId,
      ]);
    };

    /** The agreed outcome's outstanding issues, for the completions that follow it. */
    let issuesAgreed: { id: string; description: string; owner: AgencyState }[] = [];
    for (;;) {
      const s = current.number;
      if (DEFAULT_STAGES[s - 1]!.resolutionPanel) {
        const outcome = this.panelStage(board, current, {
          facts,
          caseId: theCase.id,
          raising,
          responding,
          raiser,
          respondent,
          ending,
        });
        if (outcome.convened) {
          panelConvened = true;
          this.summary.panels += 1;
        }
        if (outcome.withdrawnAt !== null) {
          const withdrawnAt = outcome.withdrawnAt;
          cid = this.request();
          complete(current, outcome.withdrawnAt, 'WITHDRAWN');
          record(s, 'WITHDRAWAL', raiser, text.withdrawal(r), outcome.withdrawnAt);
          version += 1;
          status = 'WITHDRAWN';
          stageEvent('StageCompleted', current, outcome.withdrawnAt);
          this.event('escalations', outcome.withdrawnAt, 'EscalationWithdrawn', id, () => ({
            ...facts,
            stageNumber: s,
            withdrawnAt: new Date(withdrawnAt).toISOString(),
          }));
          this.audit(
            'escalations',
            outcome.withdrawnAt,
            as(raiser),
            cid,
            'escalation.withdraw',
            'Escalation',
            [id],
          );
        } else if (outcome.decision) {
          const { at, by, summary: words, eventId } = outcome.decision;
          complete(current, at, 'RESOLVED');
          this.sink.add('escalations', 'agreed_outcome', [id, words, at, s, by.id]);
          issuesAgreed = outcome.panel!.issues;
          for (const issue of outcome.panel!.issues) {
            this.sink.add('escalations', 'outstanding_issue', [
              issue.id,
              id,
              issue.description,
              issue.owner.id,
              issue.dueDate,
              at,
            ]);
          }
          // The escalations subgraph applies PanelDecided a moment after the panel decided.
          record(s, 'OUTCOME', by, words, at, at + 150);
          version += 1;
          status = 'RESOLVED';
          agreed = { at, stage: s, by };
          stageEvent('StageCompleted', current, at);
          this.event('escalations', at, 'EscalationResolved', id, () => ({
            ...facts,
            stageNumber: s,
            agreedAt: new Date(at).toISOString(),
            workingDaysToOutcome: workingDaysBetween(region, raisedAt, at),
            outstandingIssueCount: outcome.panel!.issues.length,
            panelId: outcome.panel!.id,
          }));
          this.audit(
            'escalations',
            at,
            { kind: 'service', id: 'panels', agencyId: null },
            eventId,
            'escalation.resolve-by-panel',
            'Escalation',
            [id, outcome.panel!.id],
            null,
          );
        }
        break;
      }
      const completion = this.completion(region, current);
      const isLast = s === finalStage;
      const work = 1 + (r.chance(0.5) ? 1 : 0) + (r.chance(0.2) ? 1 : 0);
      const times = Array.from({ length: work }, () =>
        Math.floor(current.enteredAt + (completion - current.enteredAt) * r.next()),
      ).sort((a, b) => a - b);
      for (const at of times) {
        if (at > this.epoch) break;
        write(s, authorAt(s), r.pick(['DISCUSSION', 'ACTION', 'DECISION']), text.work(r), at + 1);
      }
      if (r.chance(0.15)) {
        const at = Math.floor(current.enteredAt + (completion - current.enteredAt) * r.next()) + 2;
        if (at <= this.epoch) write(s, authorAt(s), 'NOTE', text.note(r), at);
      }
      if (completion > this.epoch || (isLast && ending === 'OPEN')) break;
      cid = this.request();
      if (!isLast) {
        const actor =
          s === 1 ? raiser : s === 2 ? (raiser.manager ?? raising.lead) : raising.senior;
        const reason = text.reason(r);
        complete(current, completion, 'ESCALATED');
        record(s, 'ESCALATED', actor, reason, completion);
        version += 1;
        const left = current;
        current = enter(s + 1, completion, reason);
        stageEvent('StageCompleted', left, completion);
        stageEvent('StageEntered', current, completion);
        this.audit('escalations', completion, as(actor), cid, 'escalation.escalate', 'Escalation', [
          id,
        ]);
        continue;
      }
      if (ending === 'WITHDRAWN') {
        complete(current, completion, 'WITHDRAWN');
        record(s, 'WITHDRAWAL', raiser, text.withdrawal(r), completion);
        version += 1;
        status = 'WITHDRAWN';
        stageEvent('StageCompleted', current, completion);
        this.event('escalations', completion, 'EscalationWithdrawn', id, () => ({
          ...facts,
          stageNumber: s,
          withdrawnAt: new Date(completion).toISOString(),
        }));
        this.audit(
          'escalations',
          completion,
          as(raiser),
          cid,
          'escalation.withdraw',
          'Escalation',
          [id],
        );
        break;
      }
      const resolvedBy =
        s === 1
          ? r.chance(0.5)
            ? raiser
            : (respondent ?? raiser)
          : s === 2
            ? r.pick([...responding.lineManagers, responding.lead])
            : r.pick([responding.senior, responding.lead]);
      const words = text.resolution(r);
      complete(current, completion, 'RESOLVED');
      this.sink.add('escalations', 'agreed_outcome', [id, words, completion, s, resolvedBy.id]);
      const issues = r.chance(PROPORTIONS.outstandingIssues) ? r.int(1, 2) : 0;
      const issueRows: { id: string; description: string; owner: AgencyState }[] = [];
      for (let i = 0; i < issues; i += 1) {
        const issue = {
          id: r.uuid(),
          description: text.issue(r),
          owner: r.pick([raising, responding]),
        };
        issueRows.push(issue);
        this.sink.add('escalations', 'outstanding_issue', [
          issue.id,
          id,
          issue.description,
          issue.owner.id,
          londonDate(completion + r.int(14, 60) * DAY_MS),
          completion,
        ]);
      }
      record(s, 'OUTCOME', resolvedBy, words, completion);
      version += 1;
      status = 'RESOLVED';
      agreed = { at: completion, stage: s, by: resolvedBy };
      stageEvent('StageCompleted', current, completion);
      this.event('escalations', completion, 'EscalationResolved', id, () => ({
        ...facts,
        stageNumber: s,
        agreedAt: new Date(completion).toISOString(),
        workingDaysToOutcome: workingDaysBetween(region, raisedAt, completion),
        outstandingIssueCount: issues,
      }));
      this.audit(
        'escalations',
        completion,
        as(resolvedBy),
        cid,
        'escalation.resolve',
        'Escalation',
        [id],
      );
      issuesAgreed = issueRows;
      break;
    }

    // After the outcome: written confirmations, and outstanding issues done.
    if (agreed) {
      const confirmations = ending === 'CLOSED' ? 2 : r.chance(PROPORTIONS.oneConfirmation) ? 1 : 0;
      const parties = raising.id === responding.id ? [raising] : [raising, responding];
      let at = agreed.at;
      for (let i = 0; i < Math.min(confirmations, parties.length); i += 1) {
        at = this.later(at, 0.3, 8);
        if (at > this.epoch) break;
        const agency = parties[i]!;
        const by = agency === raising ? raiser : (respondent ?? r.pick(staffOf(responding)));
        cid = this.request();
        this.sink.add('escalations', 'outcome_confirmation', [id, agency.id, by.id, at]);
        record(
          agreed.stage,
          'CONFIRMATION',
          by,
          `Agreed outcome confirmed in writing for the ${agency.kind} agency.`,
          at,
        );
        version += 1;
        this.event('escalations', at, 'OutcomeConfirmed', id, () => ({
          ...facts,
          agencyKind: agency.kind,
          confirmedAt: new Date(at).toISOString(),
        }));
        if (i === parties.length - 1) {
          status = 'CLOSED';
          closedAt = at;
          this.event('escalations', at, 'EscalationClosed', id, () => ({
            ...facts,
            closedAt: new Date(at).toISOString(),
          }));
        }
        this.audit('escalations', at, as(by), cid, 'escalation.confirm', 'Escalation', [id]);
      }
      for (const issue of issuesAgreed) {
        if (!r.chance(PROPORTIONS.issueCompleted)) continue;
        const done = this.later(agreed.at, 5, 50);
        if (done > this.epoch) continue;
        const by = r.pick(staffOf(issue.owner));
        cid = this.request();
        this.sink.add('escalations', 'outstanding_issue_completion', [issue.id, id, by.id, done]);
        record(agreed.stage, 'NOTE', by, `Outstanding issue done: ${issue.description}`, done);
        version += 1;
        this.event('escalations', done, 'OutstandingIssueCompleted', id, () => ({
          ...facts,
          completedAt: new Date(done).toISOString(),
        }));
        this.audit('escalations', done, as(by), cid, 'escalation.issue-done', 'Escalation', [
          id,
          issue.id,
        ]);
      }
    }

    // A stage still open at the epoch and past its due time has had its StageOverdue.
    const open = status === 'OPEN' ? current : null;
    if (open) {
      markOverdue(open, this.epoch);
      if (open.overdueAt !== null) this.summary.overdueOpenStages += 1;
    }
    for (const stage of stages) {
      this.sink.add('escalations', 'escalation_stage', [
        stage.id,
        id,
        stage.number,
        DEFAULT_STAGES[stage.number - 1]!.name,
        stage.enteredAt,
        stage.dueAt,
        stage.completedAt,
        stage.result,
        stage.entryReason,
        stage.overdueAt,
      ]);
    }
    // Stage rows reference the escalation: it goes into its table first within each batch.
    this.sink.add('escalations', 'escalation', [
      id,
      reference,
      board.id,
      region,
      theCase.id,
      raiser.id,
      raising.id,
      raising.kind,
      responding.id,
      responding.kind,
      respondent?.id ?? null,
      category,
      ground,
      summary,
      desiredOutcome,
      immediateRisk,
      status,
      1,
      open ? open.number : null,
      open ? open.dueAt : null,
      startStage > 1 ? justification!.trim() : null,
      consulted?.id ?? null,
      raisedAt,
      closedAt,
      version,
    ]);

    // Learning: themes (sometimes set twice), a debrief for a few.
    const tagBase = agreed ? agreed.at : raisedAt;
    const tagged = agreed
      ? r.chance(PROPORTIONS.taggedResolved)
      : r.chance(PROPORTIONS.taggedOther);
    let tagAt = this.later(tagBase, 0.2, 20);
    if (tagged && tagAt <= this.epoch) {
      const rounds = r.chance(PROPORTIONS.retagged) ? 2 : 1;
      let codes: string[] = [];
      let tagger = raiser;
      for (let round = 1; round <= rounds; round += 1) {
        if (round > 1) {
          const again = this.later(tagAt, 1, 60);
          if (again > this.epoch) break;
          tagAt = again;
        }
        codes = this.themeCodes(category);
        tagger = r.chance(0.5) ? board.managers[0]! : raiser;
        tagRevision = round;
        themeMask = codes.reduce((mask, code) => mask | (1 << this.themeBits.get(code)!), 0);
        cid = this.request();
        this.event('learning', tagAt, 'EscalationTagged', id, () => ({
          escalationId: id,
          boardId: board.id,
          category,
          raisingAgencyKind: raising.kind,
          respondingAgencyKind: responding.kind,
          raisedAt: facts.raisedAt,
          themeCodes: codes,
          themeMask,
          revision: round,
          taggedAt: new Date(tagAt).toISOString(),
        }));
        this.audit('learning', tagAt, as(tagger), cid, 'escalation.tag', 'Escalation', [id]);
      }
      for (const code of codes)
        this.sink.add('learning', 'escalation_theme', [id, code, board.id, tagger.id, tagAt]);
      this.sink.add('learning', 'escalation_tagging', [id, tagRevision]);
    }
    if (agreed && r.chance(PROPORTIONS.debriefed)) {
      const heldAt = this.later(agreed.at, 3, 30);
      const recordedAt = heldAt + r.between(0, 3) * DAY_MS;
      if (recordedAt <= this.epoch) {
        const debrief = r.uuid();
        const lessons = text.lessons(r);
        const attendees = [
          ...new Set([raiser.id, ...(respondent ? [respondent.id] : []), board.managers[0]!.id]),
        ];
        const by = board.managers[0]!;
        this.sink.add('learning', 'debrief', [
          debrief,
          id,
          board.id,
          heldAt,
          text.debriefNotes(r),
          JSON.stringify(lessons),
          JSON.stringify(attendees),
          by.id,
          Math.floor(recordedAt),
        ]);
        cid = this.request();
        this.event('learning', Math.floor(recordedAt), 'DebriefRecorded', id, () => ({
          debriefId: debrief,
          escalationId: id,
          boardId: board.id,
          attendeeCount: attendees.length,
          lessonCount: lessons.length,
          recordedAt: new Date(Math.floor(recordedAt)).toISOString(),
        }));
        this.audit('learning', Math.floor(recordedAt), as(by), cid, 'debrief.record', 'Debrief', [
          debrief,
          id,
        ]);
      }
    }

    // The statistics read model's row, as the projection builds it from the events above.
    const completed = stages.filter((s) => s.completedAt !== null && s.result !== 'WITHDRAWN');
    this.sink.add('learning', 'stats_escalation', [
      createHmac('sha256', this.statsKey).update(id).digest('hex'),
      board.id,
      londonMonth(raisedAt),
      category,
      raising.kind,
      responding.kind,
      Math.max(...stages.map((s) => s.number)),
      panelConvened,
      themeMask,
      tagRevision,
      completed.length,
      completed.filter((s) => s.completedAt! <= s.dueAt).length,
      agreed ? workingDaysBetween(region, raisedAt, agreed.at) : null,
    ]);

    this.summary.escalations += 1;
    this.summary.byStatus[status]! += 1;
    board.recent.push(id);
    if (board.recent.length > 200) board.recent.shift();
  }

  /**
   * When a stage's work is done: by its dueAt (most often) or late, at a time in working hours
   * on a working day, as `dueAt` counts them.
   */
  private completion(region: CalendarRegion, stage: StageRow): number {
    const r = this.random;
    const days = DEFAULT_STAGES[stage.number - 1]!.timescaleWorkingDays;
    const within = r.chance(PROPORTIONS.stageWithinTimescale);
    const k = within ? r.int(1, days) : r.int(days + 1, days * 3);
    const end = dueAt(region, stage.enteredAt, k);
    const at = Math.floor((end - r.between(0, 8) * HOUR_MS) / 1000) * 1000;
    return at > stage.enteredAt ? at : stage.enteredAt + r.int(10, 120) * MINUTE_MS;
  }

  private themeCodes(category: string): string[] {
    const r = this.random;
    const codes = new Set<string>();
    if (this.themeBits.has(category) && r.chance(0.5)) codes.add(category);
    const count = r.int(1, 3);
    while (codes.size < count) codes.add(this.themes.draw(r));
    return [...codes];
  }

  /**
   * The resolution panel stage: a board manager convenes a panel of panel members from at least
   * three agencies (the two concerned included), the agencies make representations, the chair
   * records the decision, and the escalations subgraph applies it. Anything after the epoch, or
   * an escalation meant to stall or be withdrawn, stops it part-way.
   */
  private panelStage(
    board: BoardState,
    stage: StageRow,
    context: {
      facts: Record<string, unknown>;
      caseId: string;
      raising: AgencyState;
      responding: AgencyState;
      raiser: Person;
      respondent: Person | null;
      ending: string;
    },
  ): {
    convened: boolean;
    withdrawnAt: number | null;
    decision: { at: number; by: Person; summary: string; eventId: string } | null;
    panel: {
      id: string;
      memberIds: string[];
      issues: { id: string; description: string; owner: AgencyState; dueDate: string }[];
    } | null;
  } {
    const r = this.random;
    const { facts, raising, responding, ending } = context;
    const none = { convened: false, withdrawnAt: null, decision: null, panel: null };
    const convenedAt = this.later(stage.enteredAt, 0.5, 3);
    const withdrawAt = this.later(stage.enteredAt, 1, 8);
    const convenes =
      ending === 'OPEN'
        ? r.chance(PROPORTIONS.stalledPanelConvened)
        : ending === 'WITHDRAWN'
          ? r.chance(0.5)
          : true;
    if (!convenes || convenedAt > this.epoch) {
      return ending === 'WITHDRAWN' && withdrawAt <= this.epoch
        ? { ...none, withdrawnAt: withdrawAt }
        : none;
    }
    const others = r.sample(
      board.agencies.filter((a) => a !== raising && a !== responding),
      r.int(1, 2),
    );
    const members = [...new Set([raising, responding, ...others])].map((a) => a.panelRep);
    const chair = others[0]!.panelRep;
    const panelId = r.uuid();
    const manager = board.managers[0]!;
    let hearingAt: number | null = this.later(convenedAt, 2, 6);
    if (hearingAt > stage.dueAt) hearingAt = stage.dueAt - HOUR_MS;
    if (hearingAt <= convenedAt) hearingAt = null;
    const panelFacts = {
      panelId,
      escalationId: facts.escalationId,
      boardId: board.id,
      stageNumber: stage.number,
      category: facts.category,
      raisingAgencyKind: raising.kind,
      respondingAgencyKind: responding.kind,
      convenedAt: new Date(convenedAt).toISOString(),
    };
    for (const member of members) {
      this.sink.add('panels', 'panel_member', [
        r.uuid(),
        panelId,
        member.id,
        member.agency.id,
        member === chair,
      ]);
      this.sink.add('cases', 'panel_seat', [panelId, member.id, context.caseId]);
      this.sink.add('escalations', 'panel_seat', [facts.escalationId, member.id, panelId]);
    }
    let cid = this.request();
    this.event('panels', convenedAt, 'PanelConvened', panelId, () => ({
      ...panelFacts,
      raisedAt: facts.raisedAt,
      hearingAt: hearingAt === null ? null : new Date(hearingAt).toISOString(),
      caseId: context.caseId,
      memberIds: members.map((m) => m.id),
      memberAgencyKinds: members.map((m) => m.agency.kind),
      agencyCount: members.length,
      compositionNoteCount: 0,
    }));
    this.audit('panels', convenedAt, as(manager), cid, 'panel.convene', 'ResolutionPanel', [
      panelId,
      facts.escalationId as string,
    ]);

    const decisionAt = this.later(hearingAt ?? convenedAt, 0.05, 2);
    const representers = [context.raiser, context.respondent ?? r.pick(staffOf(responding))].slice(
      0,
      raising === responding ? 1 : 2,
    );
    for (const by of representers) {
      const at = this.later(convenedAt, 0.1, 2);
      if (at > this.epoch || (ending !== 'OPEN' && at >= decisionAt)) continue;
      const representation = r.uuid();
      this.sink.add('panels', 'representation', [
        representation,
        panelId,
        by.agency.id,
        by.id,
        text.statement(r),
        at,
      ]);
      cid = this.request();
      this.event('panels', at, 'RepresentationSubmitted', panelId, () => ({
        panelId,
        escalationId: facts.escalationId,
        boardId: board.id,
        agencyKind: by.agency.kind,
        submittedAt: new Date(at).toISOString(),
      }));
      this.audit('panels', at, as(by), cid, 'panel.represent', 'ResolutionPanel', [
        panelId,
        representation,
      ]);
    }

    const decides = ending === 'CLOSED' || ending === 'RESOLVED';
    const decided = decides && decisionAt <= this.epoch;
    const row = (status: string) => [
      panelId,
      facts.escalationId,
      board.id,
      context.caseId,
      stage.number,
      raising.id,
      raising.kind,
      responding.id,
      responding.kind,
      status,
      manager.id,
      convenedAt,
      hearingAt,
      '[]',
    ];
    if (!decided) {
      this.sink.add('panels', 'resolution_panel', row('CONVENED'));
      const withdrawnAt =
        ending === 'WITHDRAWN' && withdrawAt <= this.epoch
          ? Math.max(withdrawAt, convenedAt + HOUR_MS)
          : null;
      return {
        convened: true,
        withdrawnAt: withdrawnAt !== null && withdrawnAt <= this.epoch ? withdrawnAt : null,
        decision: null,
        panel: { id: panelId, memberIds: members.map((m) => m.id), issues: [] },
      };
    }
    this.sink.add('panels', 'resolution_panel', row('DECIDED'));
    const summary = text.decision(r);
    const next = text.nextAction(r);
    this.sink.add('panels', 'panel_decision', [panelId, summary, next, decisionAt, chair.id]);
    const issues = Array.from(
      { length: r.chance(PROPORTIONS.outstandingIssues) ? r.int(1, 2) : 0 },
      () => ({
        id: r.uuid(),
        description: text.issue(r),
        owner: r.pick([raising, responding]),
        dueDate: londonDate(decisionAt + r.int(14, 60) * DAY_MS),
      }),
    );
    issues.forEach((issue, position) =>
      this.sink.add('panels', 'panel_outstanding_issue', [
        issue.id,
        panelId,
        issue.description,
        issue.owner.id,
        issue.dueDate,
        position,
      ]),
    );
    cid = this.request();
    const eventId = this.event('panels', decisionAt, 'PanelDecided', panelId, () => ({
      ...panelFacts,
      decidedAt: new Date(decisionAt).toISOString(),
      memberAgencyKinds: members.map((m) => m.agency.kind),
      outstandingIssueCount: issues.length,
    }));
    this.audit('panels', decisionAt, as(chair), cid, 'panel.decide', 'ResolutionPanel', [
      panelId,
      facts.escalationId as string,
    ]);
    return {
      convened: true,
      withdrawnAt: null,
      decision: {
        at: decisionAt,
        by: chair,
        summary: panelOutcomeText({
          panelId,
          summary,
          nextCourseOfAction: next,
          decidedAt: new Date(decisionAt).toISOString(),
          decidedById: chair.id,
          outstandingIssues: [],
        }),
        eventId,
      },
      panel: { id: panelId, memberIds: members.map((m) => m.id), issues },
    };
  }

  // ------------------------------------------------------------------ protocol amendments

  private amendment(board: BoardState, proposedAt: number): void {
    const r = this.random;
    const [title, rationale] = text.amendment(r);
    const manager = board.managers[0]!;
    const evidence = r.sample(board.recent, r.int(2, 5));
    const themes = r.sample(
      SHIPPED_THEMES.map((t) => t.code),
      r.int(1, 2),
    );
    const id = r.uuid();
    const target = new Weighted<string>([
      ['PROPOSED', 25],
      ['ACCEPTED', 30],
      ['REJECTED', 15],
      ['IMPLEMENTED', 30],
    ]).draw(r);
    let status = 'PROPOSED';
    const facts = () => ({
      amendmentId: id,
      boardId: board.id,
      status,
      themeCodes: themes,
      evidenceCount: evidence.length,
    });
    this.event('learning', proposedAt, 'ProtocolAmendmentProposed', id, facts);
    this.audit(
      'learning',
      proposedAt,
      as(manager),
      this.request(),
      'amendment.propose',
      'ProtocolAmendment',
      [id],
    );
    let decidedAt: number | null = null;
    let implementedAt: number | null = null;
    if (target !== 'PROPOSED') {
      const at = this.later(proposedAt, 14, 60);
      if (at <= this.epoch) {
        decidedAt = at;
        status = target === 'REJECTED' ? 'REJECTED' : 'ACCEPTED';
        this.event('learning', at, 'ProtocolAmendmentDecided', id, facts);
        this.audit(
          'learning',
          at,
          as(manager),
          this.request(),
          `amendment.${status.toLowerCase()}`,
          'ProtocolAmendment',
          [id],
        );
        if (target === 'IMPLEMENTED') {
          const done = this.later(at, 30, 120);
          if (done <= this.epoch) {
            implementedAt = done;
            status = 'IMPLEMENTED';
            this.event('learning', done, 'ProtocolAmendmentDecided', id, facts);
            this.audit(
              'learning',
              done,
              as(manager),
              this.request(),
              'amendment.implemented',
              'ProtocolAmendment',
              [id],
            );
          }
        }
      }
    }
    this.sink.add('learning', 'protocol_amendment', [
      id,
      board.id,
      title,
      rationale,
      JSON.stringify(themes),
      status,
      manager.id,
      proposedAt,
      decidedAt === null ? null : manager.id,
      decidedAt,
      implementedAt === null ? null : manager.id,
      implementedAt,
      evidence.length,
    ]);
    for (const escalation of evidence)
      this.sink.add('learning', 'amendment_evidence', [id, escalation]);
  }
}

/** Everyone of an agency who does casework. */
function staffOf(agency: AgencyState): Person[] {
  return agency.practitioners.length > 0 ? agency.practitioners : [agency.lead];
}

/** One of a case's agencies, by kind weights (kinds the table lacks weigh 1), not `except`. */
function drawAgency(
  random: Random,
  agencies: AgencyState[],
  weights: readonly (readonly [AgencyKind, number])[],
  except: AgencyState | null,
): AgencyState {
  const candidates = agencies.filter((agency) => agency !== except);
  const weight = (kind: AgencyKind) => weights.find(([k]) => k === kind)?.[1] ?? 1;
  return new Weighted(candidates.map((agency) => [agency, weight(agency.kind)] as const)).draw(
    random,
  );
}
