import { graphqlRequest } from '../graphql-client.js';
import type { DemoEscalations } from './escalations.seed.js';
import type { DemoHistory } from './history.seed.js';
import type { DemoPanels } from './panels.seed.js';
import type { DemoData, SeedTarget } from './seed.js';

const TAG = /* GraphQL */ `
  mutation ($id: ID!, $codes: [String!]!) {
    tagEscalation(escalationId: $id, themeCodes: $codes) {
      id
    }
  }
`;
const DEBRIEF = /* GraphQL */ `
  mutation ($input: RecordDebriefInput!) {
    recordDebrief(input: $input) {
      id
    }
  }
`;
const PROPOSE = /* GraphQL */ `
  mutation ($input: ProposeAmendmentInput!) {
    proposeProtocolAmendment(input: $input) {
      id
    }
  }
`;
const DECIDE = /* GraphQL */ `
  mutation ($id: ID!, $status: AmendmentStatus!) {
    decideProtocolAmendment(id: $id, status: $status) {
      id
    }
  }
`;
const STATS = /* GraphQL */ `
  query ($board: ID!) {
    escalationStats(filter: { boardId: $board }) {
      total
      byTheme {
        key
        count
      }
    }
  }
`;

/** The themes a past escalation of each category is tagged with. */
const THEMES_BY_CATEGORY: Record<string, string[]> = {
  INFORMATION_SHARING: ['INFORMATION_SHARING'],
  LEVELS_OF_NEED: ['THRESHOLDS'],
  REFERRAL_CRITERIA: ['THRESHOLDS'],
  NEED_FOR_ACTION: ['RISK_ASSESSMENT', 'PROFESSIONAL_CURIOSITY'],
  COMMUNICATION: ['COMMUNICATION'],
  ROLES_AND_RESPONSIBILITIES: ['ROLES_AND_RESPONSIBILITIES'],
  SERVICE_PROVISION: ['SERVICE_PROVISION', 'WHOLE_FAMILY_RISK'],
};

/** What the learning seed created. */
export interface DemoLearning {
  /** Escalations tagged, with their themes. */
  tagged: Record<string, string[]>;
  /** The debrief of the closed escalation. */
  debrief: string;
  /** Accepted, then implemented. */
  implementedAmendment: string;
  /** Awaiting the board's decision. */
  proposedAmendment: string;
}

/**
 * The demo's learning, through the public API as the demo's people: the board manager tags the
 * past escalations by what went wrong, and the practitioners tag some of today's; the two
 * agencies of the closed escalation record its debrief; the board manager proposes two protocol
 * amendments, citing escalations, and accepts and implements one. Then it waits until the
 * statistics (built from events) count all of it, so that the analyst's first query after
 * `npm start` shows the figures: some shown, some suppressed below the board's threshold of 5.
 */
export async function seedDemoLearning(
  target: SeedTarget,
  demo: DemoData,
  seeded: {
    history: DemoHistory;
    escalations: DemoEscalations;
    panels: Pick<DemoPanels, 'decidedEscalation'>;
  },
): Promise<DemoLearning> {
  const as = async <T>(person: string, query: string, variables: Record<string, unknown>) =>
    graphqlRequest<T>(target.url, await target.tokenFor(demo.people[person]!.id), query, variables);
  const { history, escalations, panels } = seeded;
  const past = history.escalations.filter((e) => e.path !== 'withdrawn');

  const tagged: Record<string, string[]> = {};
  const tag = async (person: string, id: string, codes: string[]) => {
    await as(person, TAG, { id, codes });
    tagged[id] = codes;
  };
  await Promise.all([
    ...past.map((e) =>
      tag(
        'boardManager',
        e.id,
        // The late ones also show the procedure itself was not followed in time.
        [...THEMES_BY_CATEGORY[e.category]!, ...(e.path === 'late' ? ['ESCALATION_PROCESS'] : [])],
      ),
    ),
    tag('health', escalations.overdue, ['INFORMATION_SHARING', 'WHOLE_FAMILY_RISK']),
    tag('police', escalations.atStage1, ['THRESHOLDS', 'CHALLENGE_CULTURE']),
    tag('school', escalations.atStage2, ['ROLES_AND_RESPONSIBILITIES', 'VOICE_OF_THE_CHILD']),
    tag('health', escalations.closed, ['INFORMATION_SHARING', 'RECORD_KEEPING']),
    tag('school', panels.decidedEscalation, ['NEGLECT', 'VOICE_OF_THE_CHILD']),
  ]);

  const { recordDebrief } = await as<{ recordDebrief: { id: string } }>('health', DEBRIEF, {
    input: {
      escalationId: escalations.closed,
      heldAt: new Date().toISOString(),
      attendeeIds: [demo.people.health!.id, demo.people.healthLead!.id, demo.people.schoolDsl!.id],
      notes:
        'The health visitor, the named nurse and the school’s DSL went over why the pastoral log was first refused and how the agreement was reached.',
      lessons: [
        'School staff were unsure what the information-sharing agreement allows: the DSL now briefs them each term.',
        'A request naming the child protection plan and its purpose was agreed within a day; vague requests were not.',
        'Agree a standing arrangement at the first core group rather than asking case by case.',
      ],
    },
  });

  const propose = async (input: Record<string, unknown>) =>
    (
      await as<{ proposeProtocolAmendment: { id: string } }>('boardManager', PROPOSE, {
        input: { boardId: demo.boardId, ...input },
      })
    ).proposeProtocolAmendment.id;
  const decide = (id: string, status: string) => as('boardManager', DECIDE, { id, status });
  const ofCategory = (category: string) =>
    past.filter((e) => e.category === category).map((e) => e.id);

  const implementedAmendment = await propose({
    title: 'Information requests between agencies answered within two working days',
    rationale:
      'Most disagreements this half-year were about information one agency held and another needed; they were resolved once the request named its purpose. The information-sharing protocol now sets a two-working-day reply and a named contact in each agency.',
    themeCodes: ['INFORMATION_SHARING', 'COMMUNICATION'],
    evidenceEscalationIds: [
      escalations.overdue,
      escalations.closed,
      ...ofCategory('INFORMATION_SHARING'),
    ],
  });
  await decide(implementedAmendment, 'ACCEPTED');
  await decide(implementedAmendment, 'IMPLEMENTED');
  const proposedAmendment = await propose({
    title: 'Joint threshold workshops for police and children’s social care',
    rationale:
      'Threshold decisions on police referrals are the second most common disagreement, and several went to line managers. A quarterly joint workshop on the threshold document, with anonymised cases, is proposed.',
    themeCodes: ['THRESHOLDS'],
    evidenceEscalationIds: [escalations.atStage1, ...ofCategory('LEVELS_OF_NEED')],
  });

  // The statistics follow the events: wait until they count every escalation and every tag.
  const expected = Object.values(tagged)
    .flat()
    .filter((code) => code === 'INFORMATION_SHARING').length;
  const raised = new Set([
    ...history.escalations.map((e) => e.id),
    ...Object.values(escalations),
    panels.decidedEscalation,
  ]).size;
  for (let tries = 0; ; tries += 1) {
    const { escalationStats } = await as<{
      escalationStats: { total: number; byTheme: { key: string; count: number | null }[] };
    }>('analyst', STATS, { board: demo.boardId });
    const shared = escalationStats.byTheme.find((b) => b.key === 'INFORMATION_SHARING')?.count;
    if (escalationStats.total === raised && shared === expected) break;
    if (tries >= 100) throw new Error('the demo statistics did not catch up with the demo data');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { tagged, debrief: recordDebrief.id, implementedAmendment, proposedAmendment };
}
