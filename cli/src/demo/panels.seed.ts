import { graphqlRequest } from '../graphql-client.js';
import type { DemoEscalations } from './escalations.seed.js';
import { RAISE } from './operations.js';
import type { DemoData, SeedTarget } from './seed.js';

const CONVENE = /* GraphQL */ `
  mutation ($input: ConvenePanelInput!) {
    conveneResolutionPanel(input: $input) {
      id
    }
  }
`;
const REPRESENT = /* GraphQL */ `
  mutation ($input: SubmitRepresentationInput!) {
    submitRepresentation(input: $input) {
      id
    }
  }
`;
const DECIDE = /* GraphQL */ `
  mutation ($input: RecordPanelDecisionInput!) {
    recordPanelDecision(input: $input) {
      id
    }
  }
`;
const STATUS = /* GraphQL */ `
  query ($id: ID!) {
    escalation(id: $id) {
      status
    }
  }
`;

/** The demo's resolution panels, by what they show. */
export interface DemoPanels {
  /** Convened on the escalation at the panel stage; one representation so far. */
  convened: string;
  /** Decided: its escalation is resolved with the decision and awaits the agencies' confirmation. */
  decided: string;
  /** The escalation the decided panel resolved. */
  decidedEscalation: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Two fictional resolution panels, made through the public API: one convened on the demo's
 * escalation at the panel stage (police, children's social care and health; the named nurse
 * chairs), and one that heard both agencies and decided, whose escalation the decision resolved.
 * The school's only panel member was consulted on that escalation, so its composition note says
 * why the school has no seat.
 */
export async function seedDemoPanels(
  target: SeedTarget,
  demo: DemoData,
  escalations: Pick<DemoEscalations, 'atPanel'>,
): Promise<DemoPanels> {
  const as = async <T>(person: string, query: string, variables: Record<string, unknown>) =>
    graphqlRequest<T>(target.url, await target.tokenFor(demo.people[person].id), query, variables);
  const { agencies, people } = demo;
  const convene = async (escalationId: string, hearingAt: Date) =>
    (
      await as<{ conveneResolutionPanel: { id: string } }>('boardManager', CONVENE, {
        input: {
          escalationId,
          memberIds: [people.healthLead.id, people.policeSenior.id, people.cscSenior.id],
          chairId: people.healthLead.id,
          hearingAt: hearingAt.toISOString(),
        },
      })
    ).conveneResolutionPanel.id;
  const represent = (person: string, panelId: string, statement: string) =>
    as(person, REPRESENT, { input: { panelId, statement } });

  const convened = await convene(escalations.atPanel, new Date(Date.now() + 2 * DAY_MS));
  await represent(
    'police',
    convened,
    'The disclosure names an adult in the household; a section 47 enquiry is needed before the child goes home.',
  );

  const { raiseEscalation } = await as<{ raiseEscalation: { id: string } }>('school', RAISE, {
    input: {
      caseId: demo.cases[1],
      respondingAgencyId: agencies.socialCare,
      respondentId: people.csc.id,
      category: 'ASSESSMENT_OUTCOME',
      ground: 'DECISION_CHALLENGE',
      summary:
        'The child in need plan was stepped down to early help although the child still discloses missing meals.',
      desiredOutcome: 'The plan kept at child in need until the next review.',
      immediateRisk: true,
      startAtStage: 4,
      riskJustification: 'The family support ends on Friday and nobody will see the child daily.',
      consultedId: people.schoolDsl.id,
    },
  });
  const decided = await convene(raiseEscalation.id, new Date(Date.now() + DAY_MS));
  await represent(
    'school',
    decided,
    'Staff record missed meals most weeks; the step-down removes the only daily contact.',
  );
  await represent(
    'csc',
    decided,
    'The assessment found the needs met by early help, with the school as lead professional.',
  );
  await as('healthLead', DECIDE, {
    input: {
      panelId: decided,
      summary: 'The step-down is deferred: the child in need plan continues until the review.',
      nextCourseOfAction:
        'CSC reconvenes the child in need meeting within ten working days, the school attending.',
      outstandingIssues: [
        { description: 'Reconvene the child in need meeting', ownerAgencyId: agencies.socialCare },
        { description: 'Share the meals log weekly', ownerAgencyId: agencies.school },
      ],
    },
  });
  // The decision resolves its escalation through an event; the demo is whole once it has.
  for (let tries = 0; ; tries += 1) {
    const { escalation } = await as<{ escalation: { status: string } }>('school', STATUS, {
      id: raiseEscalation.id,
    });
    if (escalation.status === 'RESOLVED') break;
    if (tries >= 100) throw new Error('the demo panel decision did not resolve its escalation');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { convened, decided, decidedEscalation: raiseEscalation.id };
}
