import { AgencyKind, DisagreementCategory } from '@hub/schema';
import { DEFAULT_EPOCH } from '../dataset/dataset.spec.js';
import { Random, Weighted } from '../dataset/prng.js';
import { text } from '../dataset/vocabulary.js';
import { ChildMaker, feedNhsNumber, HEALTH_MIDDLE_NAMES, instantText } from './feed.children.js';
import { FeedWriter } from './feed.writer.js';
import type { FeedAgency, FeedSubjects } from './ingest.subjects.js';

/**
 * A health trust's FHIR R4 export (a `collection` Bundle, JSON), as the health plugin reads it
 * (plugins/health/README.md), generated from a seed. The systems and codes are the published
 * ones a trust's integration engine writes (NHS England's NHS number system, CP-IS's plan
 * types) and the hub's own CodeSystems for challenges.
 */
const NHS_NUMBER_SYSTEM = 'https://fhir.nhs.uk/Id/nhs-number';
const CPIS_SYSTEM = 'urn:oid:2.16.840.1.113883.2.1.3.2.4.17.469';
const FLAG_CATEGORY_SYSTEM = 'https://fhir.nhs.uk/England/CodeSystem/PatientFlagCategory';
const HUB = 'https://fhir.hub.example/CodeSystem';
const ESCALATION_SYSTEM = `${HUB}/escalation`;
const CATEGORY_SYSTEM = `${HUB}/disagreement-category`;
const GROUND_SYSTEM = `${HUB}/disagreement-ground`;
const AGENCY_KIND_SYSTEM = `${HUB}/agency-kind`;

export const FHIR_CONTENT_TYPE = 'application/fhir+json';

/** What a generated feed holds, by the kind of source record (what each should become). */
export interface GeneratedFeed {
  file: string;
  contentType: string;
  /** Source records: Bundle entries, or data rows of a CSV. */
  records: number;
  bytes: number;
  /** Source records by kind, e.g. `Patient (new)`, `Flag`, `Communication (challenge)`. */
  kinds: Record<string, number>;
}

/**
 * The mix, per child: a Patient (5 % a child the board already knows, with its NHS number,
 * name and date of birth as recorded: it links, `unchanged`; the rest new children: `created`);
 * an Observation or Encounter for 15 % (skipped); an active CP-IS Flag for 35 % of the new
 * children (CPPI 80 %, LACI 20 %: a case, `created`); a challenge for 14 % (a Communication, or
 * a Task for a quarter, raised by a front-line practitioner of the trust against a partner
 * agency: its case and a disagreement, `created`), with 0–2 replies (Communication
 * `inResponseTo`, Task `partOf`: escalation records, `created`) by the respondent's agency or
 * the raiser. Practitioner and Organization resources (skipped) come before their first
 * reference, and again when the last copy is over 20,000 entries back (the plugin indexes at
 * most 50,000 resources for references).
 */
const RESPONDING = new Weighted<AgencyKind>([
  [AgencyKind.CHILDRENS_SOCIAL_CARE, 55],
  [AgencyKind.POLICE, 15],
  [AgencyKind.EDUCATION, 10],
  [AgencyKind.EARLY_HELP, 10],
  [AgencyKind.HOUSING, 5],
  [AgencyKind.HEALTH, 5],
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

const REPLY_KINDS = new Weighted<string>([
  ['discussion', 40],
  ['action', 25],
  ['note', 20],
  ['decision', 15],
]);

const kebab = (value: string) => value.toLowerCase().replace(/_/g, '-');

/** How far back a Practitioner or Organization may be before it is sent again. */
const RESEND_AFTER = 20_000;
/** The export covers the year before the dataset's epoch. */
const SPAN_MS = 365 * 86_400_000;

/** Partner agencies by kind; a feed names a kind it has only when the board has one. */
function partnersByKind(partners: readonly FeedAgency[]): Map<AgencyKind, FeedAgency[]> {
  const byKind = new Map<AgencyKind, FeedAgency[]>();
  for (const agency of partners)
    byKind.set(agency.kind, [...(byKind.get(agency.kind) ?? []), agency]);
  return byKind;
}

/**
 * Writes a Bundle of exactly `records` entries to `file`, streaming; the same seed and subjects
 * give the same bytes. Entries refer only backwards, as the plugin requires.
 */
export async function writeFhirBundle(
  file: string,
  subjects: FeedSubjects,
  records: number,
  seed: number,
): Promise<GeneratedFeed> {
  const random = new Random(seed);
  const base = `https://fhir.${subjects.agency.name.toLowerCase().replace(/[^a-z]+/g, '-')}.example`;
  const children = new ChildMaker(
    random,
    HEALTH_MIDDLE_NAMES,
    feedNhsNumber,
    { min: 0, max: 17 },
    DEFAULT_EPOCH,
  );
  const byKind = partnersByKind(subjects.partners);
  const responding = () => {
    for (;;) {
      const list = byKind.get(RESPONDING.draw(random));
      if (list) return random.pick(list);
    }
  };
  const start = DEFAULT_EPOCH.getTime() - SPAN_MS - 86_400_000;
  const kinds: Record<string, number> = {};
  const out = new FeedWriter(file);
  let count = 0;
  const emit = async (kind: string, resource: Record<string, unknown>): Promise<boolean> => {
    if (count >= records) return false;
    const url = `${base}/${resource.resourceType as string}/${resource.id as string}`;
    await out.write(`${count === 0 ? '' : ',\n'}${JSON.stringify({ fullUrl: url, resource })}`);
    count += 1;
    kinds[kind] = (kinds[kind] ?? 0) + 1;
    return true;
  };
  // Practitioners by email and Organizations by agency id, with the entry that last sent each.
  const sentAt = new Map<string, number>();
  const practitionerIds = new Map<string, string>();
  const practitioner = async (email: string): Promise<string> => {
    let id = practitionerIds.get(email);
    if (id === undefined) {
      id = `prac-${practitionerIds.size + 1}`;
      practitionerIds.set(email, id);
    }
    const last = sentAt.get(email);
    if (last === undefined || count - last > RESEND_AFTER) {
      sentAt.set(email, count);
      await emit('Practitioner', {
        resourceType: 'Practitioner',
        id,
        telecom: [{ system: 'email', value: email, use: 'work' }],
      });
    }
    return `Practitioner/${id}`;
  };
  const organization = async (agency: FeedAgency): Promise<string> => {
    const id = `org-${agency.id.slice(0, 8)}`;
    const last = sentAt.get(agency.id);
    if (last === undefined || count - last > RESEND_AFTER) {
      sentAt.set(agency.id, count);
      await emit('Organization', {
        resourceType: 'Organization',
        id,
        type: [{ coding: [{ system: AGENCY_KIND_SYSTEM, code: kebab(agency.kind) }] }],
        name: agency.name,
      });
    }
    return `Organization/${id}`;
  };

  await out.write(
    `{"resourceType":"Bundle","id":"bench-${seed}-${records}","type":"collection",` +
      `"timestamp":"${instantText(DEFAULT_EPOCH.getTime() - 86_400_000)}","entry":[\n`,
  );
  let episode = 0;
  while (count < records) {
    episode += 1;
    // Time moves on through the export as entries do.
    const at = () => start + (count / records) * SPAN_MS + random.int(0, 3_600_000);
    const known =
      subjects.knownChildren.length > 0 && random.chance(0.05)
        ? random.pick(subjects.knownChildren)
        : null;
    const child = known ? null : children.next();
    // A known child keeps one Patient id, however often the export lists them.
    const patientId = known ? `k-${known.identifier}` : `p${episode}`;
    const parts = (known?.name ?? '').split(' ');
    const name = known
      ? parts.length > 1
        ? { use: 'official', given: parts.slice(0, -1), family: parts.at(-1) }
        : { use: 'official', text: known.name }
      : { use: 'official', given: child!.given, family: child!.family };
    await emit(known ? 'Patient (known child)' : 'Patient (new child)', {
      resourceType: 'Patient',
      id: patientId,
      meta: { versionId: '1', lastUpdated: instantText(at()) },
      identifier: [{ system: NHS_NUMBER_SYSTEM, value: known?.identifier ?? child!.identifier }],
      name: [name],
      gender: random.pick(['female', 'male']),
      ...((known?.dateOfBirth ?? child?.dateOfBirth)
        ? { birthDate: known?.dateOfBirth ?? child!.dateOfBirth }
        : {}),
    });
    if (random.chance(0.15)) {
      const observation = random.chance(0.5);
      await emit(observation ? 'Observation' : 'Encounter', {
        resourceType: observation ? 'Observation' : 'Encounter',
        id: `${observation ? 'obs' : 'enc'}-${episode}`,
        status: observation ? 'final' : 'finished',
        ...(observation
          ? { code: { text: 'Body weight' }, subject: { reference: `Patient/${patientId}` } }
          : {
              class: { code: 'AMB' },
              subject: { reference: `Patient/${patientId}` },
            }),
      });
    }
    let flagId: string | null = null;
    if (!known && random.chance(0.35)) {
      flagId = `cpis-${episode}`;
      const laci = random.chance(0.2);
      await emit('Flag (CP-IS)', {
        resourceType: 'Flag',
        id: flagId,
        meta: { versionId: '1' },
        status: 'active',
        category: [{ coding: [{ system: FLAG_CATEGORY_SYSTEM, code: 'CP-IS' }] }],
        code: { coding: [{ system: CPIS_SYSTEM, code: laci ? 'LACI' : 'CPPI' }] },
        subject: { reference: `Patient/${patientId}` },
        period: { start: instantText(at() - random.int(30, 400) * 86_400_000).slice(0, 10) },
      });
    }
    if (!random.chance(0.14)) continue;

    const agency = responding();
    const raiserEmail = random.pick(subjects.agency.emails);
    const raiser = await practitioner(raiserEmail);
    const org = await organization(agency);
    const task = random.chance(0.25);
    const respondentEmail = !task && random.chance(0.4) ? random.pick(agency.emails) : null;
    const respondent = respondentEmail ? await practitioner(respondentEmail) : null;
    const challengeId = `${task ? 'task' : 'comm'}-${episode}`;
    const reasons = [
      { system: CATEGORY_SYSTEM, code: kebab(CATEGORIES.draw(random)) },
      {
        system: GROUND_SYSTEM,
        code: random.chance(0.6) ? 'decision-challenge' : 'action-not-taken',
      },
    ];
    const marker = { coding: [{ system: ESCALATION_SYSTEM, code: 'professional-disagreement' }] };
    const sent = instantText(at());
    const summary = text.concern(random);
    const outcome = text.outcome(random);
    const emitted = await emit(task ? 'Task (challenge)' : 'Communication (challenge)', {
      ...(task
        ? {
            resourceType: 'Task',
            id: challengeId,
            meta: { versionId: '1' },
            status: 'requested',
            intent: 'order',
            code: marker,
            reasonCode: { coding: reasons },
            for: { reference: `Patient/${patientId}` },
            ...(flagId ? { focus: { reference: `Flag/${flagId}` } } : {}),
            requester: { reference: raiser },
            owner: { reference: org },
            authoredOn: sent,
            description: summary,
            note: [{ text: outcome }],
          }
        : {
            resourceType: 'Communication',
            id: challengeId,
            meta: { versionId: '1' },
            status: 'completed',
            category: [marker],
            reasonCode: [{ coding: reasons }],
            subject: { reference: `Patient/${patientId}` },
            ...(flagId ? { about: [{ reference: `Flag/${flagId}` }] } : {}),
            sent,
            sender: { reference: raiser },
            recipient: [{ reference: org }, ...(respondent ? [{ reference: respondent }] : [])],
            payload: [{ contentString: summary }],
            note: [{ text: outcome }],
          }),
    });
    if (!emitted) break;
    const replies = random.chance(0.4) ? 0 : random.chance(0.58) ? 1 : 2;
    for (let i = 1; i <= replies; i += 1) {
      const author = await practitioner(
        random.chance(0.6) ? (respondentEmail ?? random.pick(agency.emails)) : raiserEmail,
      );
      const kind = { coding: [{ system: ESCALATION_SYSTEM, code: REPLY_KINDS.draw(random) }] };
      const when = instantText(at() + i * 3_600_000);
      const body = random.chance(0.5) ? text.work(random) : text.note(random);
      await emit(task ? 'Task (reply)' : 'Communication (reply)', {
        ...(task
          ? {
              resourceType: 'Task',
              id: `${challengeId}-r${i}`,
              status: 'completed',
              intent: 'order',
              code: kind,
              partOf: [{ reference: `Task/${challengeId}` }],
              requester: { reference: author },
              authoredOn: when,
              description: body,
            }
          : {
              resourceType: 'Communication',
              id: `${challengeId}-r${i}`,
              status: 'completed',
              category: [kind],
              inResponseTo: [{ reference: `Communication/${challengeId}` }],
              sender: { reference: author },
              sent: when,
              payload: [{ contentString: body }],
            }),
      });
    }
  }
  await out.write('\n]}\n');
  const bytes = await out.close();
  return { file, contentType: FHIR_CONTENT_TYPE, records: count, bytes, kinds };
}
