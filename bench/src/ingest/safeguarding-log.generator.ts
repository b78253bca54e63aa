import { AgencyKind, DisagreementCategory, PlanType } from '@hub/schema';
import { DEFAULT_EPOCH } from '../dataset/dataset.spec.js';
import { Random, Weighted } from '../dataset/prng.js';
import { text } from '../dataset/vocabulary.js';
import { ChildMaker, feedUpn, instantText, SCHOOL_MIDDLE_NAMES } from './feed.children.js';
import type { GeneratedFeed } from './fhir.generator.js';
import { FeedWriter } from './feed.writer.js';
import type { FeedAgency, FeedSubjects } from './ingest.subjects.js';

export const LOG_CONTENT_TYPE = 'text/csv';

/** Every column the education plugin reads (plugins/education/README.md), in a school MIS's order. */
const COLUMNS = [
  'upn',
  'pupil_name',
  'date_of_birth',
  'incident_id',
  'logged_at',
  'categories',
  'summary',
  'actions',
  'staff_email',
  'responding_agency_kind',
  'responding_agency_name',
  'disagreement_category',
  'ground',
  'desired_outcome',
  'immediate_risk',
  'plan_type',
  'follows_incident_id',
  'record_kind',
  'version',
] as const;

type Column = (typeof COLUMNS)[number];

/** Log categories of the entries that are not disagreements (the school's own business). */
const OTHER_CATEGORIES = new Weighted<string>([
  ['Attendance', 30],
  ['Welfare concern', 25],
  ['Behaviour', 15],
  ['Online safety', 10],
  ['Neglect', 8],
  ['Domestic abuse notification', 7],
  ['Medical', 5],
]);

const OTHER_ENTRIES = [
  'Absent without a reason given; called home and left a message',
  'Arrived late and hungry; breakfast club offered',
  'Disclosed an argument at home over the weekend; listened and reassured',
  'Parent reported a worrying message received online; advice given',
  'Operation Encompass notification received from the police before school',
  'Uniform and hygiene concerns noted by the class teacher again this week',
  'Upset at lunchtime after a falling-out with friends; pastoral lead spoke with the pupil',
];

/** Plan types as a school's MIS writes them (the plugin reads names in any case, with spaces). */
const PLANS = new Weighted<[PlanType, string]>([
  [[PlanType.NONE, ''], 40],
  [[PlanType.CHILD_IN_NEED, 'Child in need'], 25],
  [[PlanType.EARLY_HELP, 'Early help'], 20],
  [[PlanType.CHILD_PROTECTION, 'Child protection'], 10],
  [[PlanType.LOOKED_AFTER, 'Looked after'], 5],
]);

const RESPONDING = new Weighted<AgencyKind>([
  [AgencyKind.CHILDRENS_SOCIAL_CARE, 50],
  [AgencyKind.EARLY_HELP, 20],
  [AgencyKind.HEALTH, 10],
  [AgencyKind.POLICE, 10],
  [AgencyKind.HOUSING, 5],
  [AgencyKind.VOLUNTARY_SECTOR, 5],
]);

const CATEGORIES = new Weighted<DisagreementCategory>([
  [DisagreementCategory.LEVELS_OF_NEED, 24],
  [DisagreementCategory.NEED_FOR_ACTION, 18],
  [DisagreementCategory.COMMUNICATION, 14],
  [DisagreementCategory.REFERRAL_CRITERIA, 12],
  [DisagreementCategory.ASSESSMENT_OUTCOME, 11],
  [DisagreementCategory.ROLES_AND_RESPONSIBILITIES, 9],
  [DisagreementCategory.INFORMATION_SHARING, 7],
  [DisagreementCategory.SERVICE_PROVISION, 5],
]);

const RECORD_KINDS = new Weighted<string>([
  ['Discussion', 35],
  ['Action', 25],
  ['', 20],
  ['Decision', 10],
  ['Note', 10],
]);

/** `LEVELS_OF_NEED` → `Levels of need`, as people write it. */
const spoken = (value: string) => {
  const words = value.toLowerCase().replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
};

/** A CSV value, quoted when it holds a comma, a quote or a line break (RFC 4180). */
const csv = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

const SPAN_MS = 2 * 365 * 86_400_000;
/** Follow-ups are about one of the most recent disagreements. */
const RECENT = 500;

interface Pupil {
  upn: string;
  name: string;
  dateOfBirth: string;
  plan: string;
}

/**
 * A school's safeguarding-log CSV of exactly `rows` data rows, written to `file` as it is
 * generated; the same seed and subjects give the same bytes. The log covers the two years before
 * the dataset's epoch, in time order, about a roll of one pupil per 50 rows (at least 20), 5 %
 * of them children the board already knows by their UPN (as recorded). The mix: 60 % entries
 * that are not disagreements (attendance, welfare, online safety…: skipped unread), 25 % new
 * professional disagreements (a case for the pupil, with the pupil's plan the same on every
 * row, and a disagreement raised by a front-line member of staff against a partner agency of
 * the board, named: `created`), 15 % follow-ups on one of the 500 latest disagreements (an
 * escalation record by a member of staff: `created`).
 */
export async function writeSafeguardingLog(
  file: string,
  subjects: FeedSubjects,
  rows: number,
  seed: number,
): Promise<GeneratedFeed> {
  const random = new Random(seed);
  const maker = new ChildMaker(
    random,
    SCHOOL_MIDDLE_NAMES,
    feedUpn,
    { min: 4, max: 16 },
    DEFAULT_EPOCH,
  );
  const roll: Pupil[] = [];
  for (let i = 0; i < Math.max(20, Math.round(rows / 50)); i += 1) {
    const plan = PLANS.draw(random)[1];
    const known =
      subjects.knownChildren.length > 0 && random.chance(0.05)
        ? random.pick(subjects.knownChildren)
        : null;
    if (known && !roll.some((pupil) => pupil.upn === known.identifier)) {
      roll.push({
        upn: known.identifier,
        name: known.name,
        dateOfBirth: known.dateOfBirth ?? '',
        plan,
      });
    } else {
      const child = maker.next();
      roll.push({ upn: child.identifier, name: child.name, dateOfBirth: child.dateOfBirth, plan });
    }
  }
  const byKind = new Map<AgencyKind, FeedAgency[]>();
  for (const agency of subjects.partners) {
    byKind.set(agency.kind, [...(byKind.get(agency.kind) ?? []), agency]);
  }
  const responding = () => {
    for (;;) {
      const list = byKind.get(RESPONDING.draw(random));
      if (list) return random.pick(list);
    }
  };
  const recent: string[] = [];
  const start = DEFAULT_EPOCH.getTime() - SPAN_MS - 86_400_000;
  const kinds: Record<string, number> = {};
  const out = new FeedWriter(file);
  await out.write(`${COLUMNS.join(',')}\r\n`);
  for (let row = 0; row < rows; row += 1) {
    const pupil = random.pick(roll);
    const values: Partial<Record<Column, string>> = {
      upn: pupil.upn,
      pupil_name: pupil.name,
      date_of_birth: pupil.dateOfBirth,
      incident_id: `SL-${String(row + 1).padStart(7, '0')}`,
      logged_at: instantText(start + (row / rows) * SPAN_MS + random.int(0, 600_000)),
      staff_email: random.pick(subjects.agency.emails),
    };
    const draw = random.next();
    let kind: string;
    if (draw < 0.6) {
      kind = 'other entry';
      values.categories = OTHER_CATEGORIES.draw(random);
      values.summary = random.pick(OTHER_ENTRIES);
      if (random.chance(0.5)) values.actions = text.work(random);
    } else if (draw < 0.75 && recent.length > 0) {
      kind = 'follow-up';
      values.categories = 'Professional disagreement';
      values.follows_incident_id = random.pick(recent);
      values.summary = random.chance(0.5) ? text.work(random) : text.note(random);
      values.record_kind = RECORD_KINDS.draw(random);
      if (random.chance(0.3)) values.actions = text.nextAction(random);
    } else {
      kind = 'disagreement';
      const agency = responding();
      values.categories = `${OTHER_CATEGORIES.draw(random)}; Professional disagreement`;
      values.summary = text.concern(random);
      if (random.chance(0.4)) values.actions = text.work(random);
      values.responding_agency_kind = spoken(agency.kind);
      values.responding_agency_name = agency.name;
      values.disagreement_category = spoken(CATEGORIES.draw(random));
      values.ground = random.chance(0.6) ? 'Decision challenge' : 'Action not taken';
      values.desired_outcome = text.outcome(random);
      values.immediate_risk = random.chance(0.03) ? 'yes' : 'no';
      values.plan_type = pupil.plan;
      recent.push(values.incident_id!);
      if (recent.length > RECENT) recent.shift();
    }
    kinds[kind] = (kinds[kind] ?? 0) + 1;
    await out.write(`${COLUMNS.map((column) => csv(values[column] ?? '')).join(',')}\r\n`);
  }
  const bytes = await out.close();
  return { file, contentType: LOG_CONTENT_TYPE, records: rows, bytes, kinds };
}
