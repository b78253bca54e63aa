import { graphqlRequest } from '../graphql-client.js';
import { CONFIRM, ESCALATE, RAISE, RECORD, RESOLVE, WITHDRAW } from './operations.js';
import type { DemoData, SeedTarget } from './seed.js';

/** Demo escalations by what they show; ids are returned for the start banner and tests. */
export interface DemoEscalations {
  /** Raised two weeks ago and still at stage 1, past its deadline: the overdue filter finds it. */
  overdue: string;
  atStage1: string;
  atStage2: string;
  atStage3: string;
  atPanel: string;
  resolved: string;
  closed: string;
  withdrawn: string;
}

/** Days since the overdue one was raised: past stage 1's 3 working days, whatever the holidays. */
const OVERDUE_DAYS_AGO = 14;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Fictional disagreements at every point of the procedure, made through the public API by the
 * demo practitioners themselves: one raised two weeks ago whose first stage is overdue, one at
 * each of the four stages, resolved and awaiting confirmation, closed, and withdrawn.
 *
 * The API stamps everything with the hub's clock, so a stage can only be overdue once its
 * working days have passed. The overdue one is therefore raised with the hub's clock set back
 * (`target.setClock`), still through the API, and the clock is then set back to the real time;
 * the rest happens now. The start command holds readiness (/readyz) until this has returned, so
 * no client request is stamped with the earlier time.
 */
export async function seedDemoEscalations(
  target: SeedTarget & Required<Pick<SeedTarget, 'setClock'>>,
  demo: DemoData,
): Promise<DemoEscalations> {
  const as = async <T>(person: string, query: string, variables: Record<string, unknown>) =>
    graphqlRequest<T>(target.url, await target.tokenFor(demo.people[person].id), query, variables);
  const raise = async (person: string, input: Record<string, unknown>) =>
    (await as<{ raiseEscalation: { id: string; version: number } }>(person, RAISE, { input }))
      .raiseEscalation;
  const note = (person: string, escalationId: string, kind: string, text: string) =>
    as(person, RECORD, { input: { escalationId, kind, text } });
  const escalate = async (person: string, e: { id: string; version: number }, reason: string) =>
    (
      await as<{ escalateEscalation: { id: string; version: number } }>(person, ESCALATE, {
        input: { escalationId: e.id, reason, expectedVersion: e.version },
      })
    ).escalateEscalation;
  const [ellie, jayden, amara, leo] = demo.cases;
  const { agencies, people } = demo;

  // First, so that references follow the order the escalations were raised in.
  const raisedAt = Date.now() - OVERDUE_DAYS_AGO * DAY_MS;
  let overdue: { id: string };
  try {
    target.setClock(new Date(raisedAt));
    overdue = await raise('health', {
      caseId: ellie,
      respondingAgencyId: agencies.police,
      respondentId: people.police.id,
      category: 'INFORMATION_SHARING',
      ground: 'ACTION_NOT_TAKEN',
      summary:
        'The health visitor asked for the log of the domestic incident at the home; it has not been shared.',
      desiredOutcome: 'The incident log shared with the health visitor before the next home visit.',
    });
    target.setClock(new Date(raisedAt + DAY_MS));
    await note(
      'health',
      overdue.id,
      'NOTE',
      'Emailed PC Okafor again with the request; no reply yet.',
    );
  } finally {
    target.setClock(null);
  }

  const atStage1 = await raise('police', {
    caseId: ellie,
    respondingAgencyId: agencies.socialCare,
    respondentId: people.csc.id,
    category: 'LEVELS_OF_NEED',
    ground: 'DECISION_CHALLENGE',
    summary:
      'Police attended a domestic incident at the home; CSC assessed it as below the threshold for a strategy discussion.',
    desiredOutcome: 'A multi-agency strategy discussion this week.',
  });

  let atStage2 = await raise('school', {
    caseId: jayden,
    respondingAgencyId: agencies.socialCare,
    respondentId: people.csc.id,
    category: 'ROLES_AND_RESPONSIBILITIES',
    ground: 'ACTION_NOT_TAKEN',
    summary:
      'The child in need plan gives CSC the referral to CAMHS; six weeks on it has not been made.',
    desiredOutcome: 'The CAMHS referral made and the plan reviewed.',
  });
  await note(
    'school',
    atStage2.id,
    'DISCUSSION',
    'Spoke to the social worker by phone; referral still pending, no date given.',
  );
  atStage2 = await escalate('school', atStage2, 'No date for the referral after two calls.');

  let atStage3 = await raise('health', {
    caseId: amara,
    respondingAgencyId: agencies.housing,
    respondentId: people.housing.id,
    category: 'SERVICE_PROVISION',
    ground: 'DECISION_CHALLENGE',
    summary:
      'Housing declined a priority move although damp in the flat is aggravating the baby’s breathing.',
    desiredOutcome: 'Priority banding reviewed with the health evidence.',
  });
  await note(
    'health',
    atStage3.id,
    'DISCUSSION',
    'Tenancy officer says the medical form is needed first; sent it.',
  );
  atStage3 = await escalate('health', atStage3, 'Priority still refused after the medical form.');
  await note(
    'healthLead',
    atStage3.id,
    'DECISION',
    'Named nurse and housing manager could not agree on banding.',
  );
  atStage3 = await escalate('healthLead', atStage3, 'Line managers could not agree.');

  const atPanel = await raise('police', {
    caseId: leo,
    respondingAgencyId: agencies.socialCare,
    respondentId: people.csc.id,
    category: 'NEED_FOR_ACTION',
    ground: 'DECISION_CHALLENGE',
    summary:
      'A further disclosure was made at school; CSC decided a section 47 enquiry is not needed.',
    desiredOutcome: 'A section 47 enquiry started today.',
    immediateRisk: true,
    startAtStage: 4,
    riskJustification: 'The child is due home tonight to the adult named in the disclosure.',
    consultedId: people.policeManager.id,
  });

  const resolvedOne = await raise('earlyHelp', {
    caseId: jayden,
    respondingAgencyId: agencies.school,
    respondentId: people.school.id,
    category: 'COMMUNICATION',
    ground: 'ACTION_NOT_TAKEN',
    summary: 'Attendance figures agreed at the last review have not been shared.',
    desiredOutcome: 'Weekly attendance shared with the family support worker.',
  });
  await note('school', resolvedOne.id, 'ACTION', 'Attendance for the last six weeks sent today.');
  await as('school', RESOLVE, {
    input: {
      escalationId: resolvedOne.id,
      summary: 'School will send attendance every Friday until the next review.',
      outstandingIssues: [
        { description: 'Send weekly attendance', ownerAgencyId: agencies.school },
      ],
      expectedVersion: resolvedOne.version,
    },
  });
  await as('earlyHelp', CONFIRM, { id: resolvedOne.id });

  const closed = await raise('health', {
    caseId: ellie,
    respondingAgencyId: agencies.school,
    respondentId: people.schoolDsl.id,
    category: 'INFORMATION_SHARING',
    ground: 'DECISION_CHALLENGE',
    summary: 'School declined to share the pastoral log with the health visitor.',
    desiredOutcome: 'Relevant entries shared under the information-sharing agreement.',
  });
  await note(
    'schoolDsl',
    closed.id,
    'DISCUSSION',
    'DSL and health visitor met; agreed which entries are relevant.',
  );
  await as('health', RESOLVE, {
    input: {
      escalationId: closed.id,
      summary: 'Relevant pastoral entries shared; standing agreement for future ones.',
      expectedVersion: closed.version,
    },
  });
  await as('health', CONFIRM, { id: closed.id });
  await as('schoolDsl', CONFIRM, { id: closed.id });

  const withdrawn = await raise('csc', {
    caseId: leo,
    respondingAgencyId: agencies.school,
    respondentId: null,
    category: 'REFERRAL_CRITERIA',
    ground: 'DECISION_CHALLENGE',
    summary: 'School did not refer a concern the social worker heard about from the family.',
    desiredOutcome: 'Referral made.',
  });
  await as('csc', WITHDRAW, {
    id: withdrawn.id,
    reason: 'The referral had been made; it was filed under the sibling.',
  });

  return {
    overdue: overdue.id,
    atStage1: atStage1.id,
    atStage2: atStage2.id,
    atStage3: atStage3.id,
    atPanel: atPanel.id,
    resolved: resolvedOne.id,
    closed: closed.id,
    withdrawn: withdrawn.id,
  };
}
