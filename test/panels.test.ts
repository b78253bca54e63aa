import { seedDemoEscalations, seedDemoPanels } from '@hub/cli';
import { OutboxEvent } from '@hub/kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from './support/databases.js';
import {
  codes,
  eventually,
  startTestHub,
  type GraphQLResponse,
  type TestHub,
} from './support/hub.js';

const PANEL_FIELDS = /* GraphQL */ `
  id status convenedAt hearingAt compositionNotes
  escalation { id } board { id } convenedBy { id }
  members { chair practitioner { id } agency { id } }
  representations { id statement submittedAt agency { id } submittedBy { id } }
  decision { summary nextCourseOfAction decidedAt
             outstandingIssues { id description dueDate done ownerAgency { id } } }`;
const CONVENE = `mutation ($input: ConvenePanelInput!) { conveneResolutionPanel(input: $input) { ${PANEL_FIELDS} } }`;
const GET_PANEL = `query ($id: ID!) { resolutionPanel(id: $id) { ${PANEL_FIELDS} } }`;
const LIST_PANELS = /* GraphQL */ `
  query ($boardId: ID!, $status: PanelStatus) {
    resolutionPanels(boardId: $boardId, status: $status) {
      id
      status
    }
  }
`;
const REPRESENT = /* GraphQL */ `
  mutation ($input: SubmitRepresentationInput!) {
    submitRepresentation(input: $input) {
      id
      statement
      agency {
        id
      }
      submittedBy {
        id
      }
    }
  }
`;
const DECIDE = `mutation ($input: RecordPanelDecisionInput!) { recordPanelDecision(input: $input) { ${PANEL_FIELDS} } }`;
const ESCALATION = /* GraphQL */ `
  query ($id: ID!) {
    escalation(id: $id) {
      id
      status
      version
      currentStage {
        number
        dueAt
      }
      records {
        kind
        stageNumber
        author {
          id
        }
      }
      outcome {
        summary
        agreedAtStage
        confirmedByAllParties
        outstandingIssues {
          id
          description
          done
          ownerAgency {
            id
          }
        }
      }
      panel {
        id
        status
      }
    }
  }
`;
const RAISE = /* GraphQL */ `
  mutation ($input: RaiseEscalationInput!) {
    raiseEscalation(input: $input) {
      id
      version
      currentStage {
        number
        dueAt
      }
    }
  }
`;
const RECORD = /* GraphQL */ `
  mutation ($input: AddEscalationRecordInput!) {
    addEscalationRecord(input: $input) {
      id
    }
  }
`;
const CONFIRM = /* GraphQL */ `
  mutation ($id: ID!) {
    confirmOutcome(escalationId: $id) {
      id
      status
    }
  }
`;

describe.each(databaseKinds)('resolution panels through the gateway (%s)', (kind) => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub(kind);
  }, 60_000);
  afterAll(() => t?.close());

  const as = async (person: string, query: string, variables: Record<string, unknown> = {}) =>
    t.gql(await t.tokenOf(person), query, variables);
  const ok = <T = any>(response: GraphQLResponse, field: string): T => {
    expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
    return response.data![field] as T;
  };
  const person = (key: string) => t.demo.people[key].id;

  /**
   * An escalation by the police against children's social care at the panel stage (immediate
   * risk), with the police line manager consulted: the raiser, the respondent and the consulted
   * manager took part in it.
   */
  const atPanel = async () =>
    ok(
      await as('police', RAISE, {
        input: {
          caseId: t.demo.cases[3],
          respondingAgencyId: t.demo.agencies.socialCare,
          respondentId: person('csc'),
          category: 'NEED_FOR_ACTION',
          ground: 'DECISION_CHALLENGE',
          summary: 'A further disclosure was made; CSC decided a section 47 enquiry is not needed.',
          desiredOutcome: 'A section 47 enquiry started today.',
          immediateRisk: true,
          startAtStage: 4,
          riskJustification: 'The child is due home tonight to the adult named.',
          consultedId: person('policeManager'),
        },
      }),
      'raiseEscalation',
    );
  /** The default composition: police, social care and health, the health lead chairing. */
  const convene = (escalationId: string, over: Record<string, unknown> = {}, by = 'boardManager') =>
    as(by, CONVENE, {
      input: {
        escalationId,
        memberIds: [person('policeSenior'), person('cscSenior'), person('healthLead')],
        // The last member chairs unless the test says otherwise.
        chairId: ((over.memberIds as string[] | undefined) ?? [person('healthLead')]).at(-1),
        ...over,
      },
    });

  describe('convening', () => {
    it('convenes a panel of three agencies with both concerned agencies, once per escalation', async () => {
      const escalation = await atPanel();
      const hearingAt = new Date(Date.now() + 2 * 24 * 3600_000).toISOString();
      const panel = ok(await convene(escalation.id, { hearingAt }), 'conveneResolutionPanel');
      expect(panel).toMatchObject({
        status: 'CONVENED',
        hearingAt,
        compositionNotes: [],
        escalation: { id: escalation.id },
        board: { id: t.demo.boardId },
        convenedBy: { id: person('boardManager') },
        representations: [],
        decision: null,
      });
      // The chair first.
      expect(panel.members[0]).toEqual({
        chair: true,
        practitioner: { id: person('healthLead') },
        agency: { id: t.demo.agencies.health },
      });
      expect(panel.members.slice(1)).toEqual(
        expect.arrayContaining(
          (
            [
              ['policeSenior', 'police'],
              ['cscSenior', 'socialCare'],
            ] as const
          ).map(([who, agency]) => ({
            chair: false,
            practitioner: { id: person(who) },
            agency: { id: t.demo.agencies[agency] },
          })),
        ),
      );
      expect(panel.members).toHaveLength(3);
      const seen = ok(await as('police', ESCALATION, { id: escalation.id }), 'escalation');
      expect(seen.panel).toEqual({ id: panel.id, status: 'CONVENED' });

      const again = await convene(escalation.id);
      expect(codes(again)).toEqual(['CONFLICT']);
      expect(again.errors![0].message).toMatch(/already has a resolution panel/);
    });

    it('lets one of two simultaneous conveners win; the other gets CONFLICT', async () => {
      const escalation = await atPanel();
      const results = await Promise.all([convene(escalation.id), convene(escalation.id)]);
      expect(results.map((r) => codes(r)).sort()).toEqual([[], ['CONFLICT']]);
      const panels = ok<any[]>(
        await as('boardManager', LIST_PANELS, { boardId: t.demo.boardId }),
        'resolutionPanels',
      );
      const winner = results.find((r) => !r.errors)!.data!.conveneResolutionPanel;
      expect(panels.filter((p) => p.id === winner.id)).toHaveLength(1);
    });

    it('is for a BOARD_MANAGER only, and only at the resolution panel stage of an open escalation', async () => {
      const escalation = await atPanel();
      const refused = await convene(escalation.id, {}, 'policeSenior');
      expect(codes(refused)).toEqual(['FORBIDDEN']);
      expect(refused.errors![0].message).toMatch(/BOARD_MANAGER/);

      const early = ok(
        await as('police', RAISE, {
          input: {
            caseId: t.demo.cases[3],
            respondingAgencyId: t.demo.agencies.socialCare,
            category: 'COMMUNICATION',
            ground: 'ACTION_NOT_TAKEN',
            summary: 'Strategy meeting minutes not shared.',
            desiredOutcome: 'Minutes shared.',
          },
        }),
        'raiseEscalation',
      );
      const atStage1 = await convene(early.id);
      expect(codes(atStage1)).toEqual(['CONFLICT']);
      expect(atStage1.errors![0].message).toMatch(/stage 1.*not its policy's resolution panel/);

      const unknown = await convene('00000000-0000-4000-8000-000000000000');
      expect(codes(unknown)).toEqual(['NOT_FOUND']);
      expect(unknown.errors![0].extensions?.field).toBe('input.escalationId');
    });
  });

  describe('composition', () => {
    it('refuses each breach, naming the member and the rule', async () => {
      const escalation = await atPanel();
      const breach = async (over: Record<string, unknown>, field: string, message: RegExp) => {
        const response = await convene(escalation.id, over);
        expect(codes(response), field).toEqual(['POLICY_VIOLATION']);
        expect(response.errors![0].extensions?.field).toBe(field);
        expect(response.errors![0].message).toMatch(message);
      };
      // A practitioner without PANEL_MEMBER.
      await breach(
        { memberIds: [person('policeSenior'), person('cscSenior'), person('school')] },
        'input.memberIds.2',
        /Tom Reid.*does not hold PANEL_MEMBER/,
      );
      // Too few agencies.
      await breach(
        { memberIds: [person('policeSenior'), person('healthLead')] },
        'input.memberIds',
        /2 agencies.*at least 3/,
      );
      // The raising agency has an eligible member who is left out.
      await breach(
        { memberIds: [person('schoolDsl'), person('healthLead'), person('cscSenior')] },
        'input.memberIds',
        /raising agency \(POLICE\).*DI Mark Ellis/,
      );
      // Someone who took part: social care's PANEL_MEMBER writes in the escalation.
      const cscNote = await as('cscSenior', RECORD, {
        input: { escalationId: escalation.id, kind: 'NOTE', text: 'Service manager reviewed.' },
      });
      expect(cscNote.errors).toBeUndefined();
      await breach(
        {},
        'input.memberIds.1',
        /Olivia Grant.*took part in it sits on its panel|Olivia Grant.*nobody who took part/,
      );
    });

    it('notes a concerned agency without an eligible member', async () => {
      const escalation = await atPanel();
      // Social care's only PANEL_MEMBER writes in the escalation, so cannot sit on its panel.
      ok(
        await as('cscSenior', RECORD, {
          input: { escalationId: escalation.id, kind: 'NOTE', text: 'Reviewed the decision.' },
        }),
        'addEscalationRecord',
      );
      const panel = ok(
        await convene(escalation.id, {
          memberIds: [person('policeSenior'), person('schoolDsl'), person('healthLead')],
        }),
        'conveneResolutionPanel',
      );
      expect(panel.compositionNotes).toEqual([
        expect.stringMatching(/responding agency \(CHILDRENS_SOCIAL_CARE\) has no eligible member/),
      ]);
    });

    it('refuses an inactive member', async () => {
      const escalation = await atPanel();
      const created = await t.gql(
        t.adminToken,
        /* GraphQL */ `
          mutation ($input: CreatePractitionerInput!) {
            createPractitioner(input: $input) {
              id
            }
          }
        `,
        {
          input: {
            agencyId: t.demo.agencies.earlyHelp,
            name: `Retired Panellist ${kind}`,
            email: `retired.panellist.${kind}@northbridge.example`,
            roles: ['PANEL_MEMBER'],
          },
        },
      );
      const id = created.data!.createPractitioner.id as string;
      const off = await t.gql(
        t.adminToken,
        `mutation ($id: ID!) { setPractitionerActive(id: $id, active: false) { active } }`,
        { id },
      );
      expect(off.errors).toBeUndefined();
      const response = await convene(escalation.id, {
        memberIds: [person('policeSenior'), person('cscSenior'), person('healthLead'), id],
      });
      expect(codes(response)).toEqual(['POLICY_VIOLATION']);
      expect(response.errors![0].extensions?.field).toBe('input.memberIds.3');
      expect(response.errors![0].message).toMatch(/Retired Panellist.*not active/);
    });

    it('refuses bad input with the field named and writes nothing', async () => {
      const escalation = await atPanel();
      const bad = async (over: Record<string, unknown>, code: string, field: string) => {
        const response = await convene(escalation.id, over);
        expect(codes(response), field).toEqual([code]);
        expect(response.errors![0].extensions?.field).toBe(field);
      };
      const twice = [person('policeSenior'), person('cscSenior'), person('policeSenior')];
      await bad({ memberIds: twice }, 'BAD_USER_INPUT', 'input.memberIds.2');
      await bad(
        { memberIds: [], chairId: person('healthLead') },
        'BAD_USER_INPUT',
        'input.memberIds',
      );
      await bad({ chairId: person('schoolDsl') }, 'BAD_USER_INPUT', 'input.chairId');
      await bad(
        { hearingAt: new Date(Date.now() - 3600_000).toISOString() },
        'BAD_USER_INPUT',
        'input.hearingAt',
      );
      const afterDue = new Date(Date.parse(escalation.currentStage.dueAt) + 60_000);
      await bad({ hearingAt: afterDue.toISOString() }, 'BAD_USER_INPUT', 'input.hearingAt');
      await bad(
        { memberIds: [person('policeSenior'), '00000000-0000-4000-8000-000000000000'] },
        'NOT_FOUND',
        'input.memberIds.1',
      );
      const seen = ok(await as('boardManager', ESCALATION, { id: escalation.id }), 'escalation');
      expect(seen.panel).toBeNull();
    });
  });

  describe('a panel hears and decides', () => {
    let escalationId: string;
    let panelId: string;
    beforeAll(async () => {
      escalationId = (await atPanel()).id;
      panelId = ok(await convene(escalationId), 'conveneResolutionPanel').id;
    });

    it('is visible to the two agencies, the board manager and its members; NOT_FOUND to others', async () => {
      for (const who of ['police', 'csc', 'boardManager', 'healthLead']) {
        ok(await as(who, GET_PANEL, { id: panelId }), 'resolutionPanel');
      }
      for (const who of ['housing', 'school', 'health']) {
        expect(codes(await as(who, GET_PANEL, { id: panelId })), who).toEqual(['NOT_FOUND']);
        const listed = ok<any[]>(
          await as(who, LIST_PANELS, { boardId: t.demo.boardId }),
          'resolutionPanels',
        );
        expect(listed.map((p) => p.id)).not.toContain(panelId);
      }
      const mine = ok<any[]>(
        await as('healthLead', LIST_PANELS, { boardId: t.demo.boardId, status: 'CONVENED' }),
        'resolutionPanels',
      );
      expect(mine.map((p) => p.id)).toContain(panelId);
      expect(codes(await as('analyst', GET_PANEL, { id: panelId }))).toEqual(['FORBIDDEN']);
    });

    it("lets its members see its escalation, its record and its case, not the child's details, and nothing else", async () => {
      const MEMBER_VIEW = /* GraphQL */ `
        query ($id: ID!) {
          escalation(id: $id) {
            id
            records {
              kind
            }
            case {
              id
              child {
                name
                dateOfBirth
                identifiers {
                  value
                }
              }
            }
          }
        }
      `;
      // The member's agency (health) is not involved in the case: only the seat lets them in.
      const seen = await eventually(async () =>
        ok(await as('healthLead', MEMBER_VIEW, { id: escalationId }), 'escalation'),
      );
      expect(seen.records.map((r: any) => r.kind)).toEqual(['CONCERN_RAISED', 'CONSULTATION']);
      expect(seen.case).toEqual({
        id: t.demo.cases[3],
        child: { name: null, dateOfBirth: null, identifiers: [] },
      });
      const listed = ok<any>(
        await as('healthLead', `{ escalations { edges { node { id } } } }`),
        'escalations',
      );
      expect(listed.edges.map((e: any) => e.node.id)).toContain(escalationId);
      // Nothing else: another escalation at the panel stage, and colleagues who do not sit.
      const other = await atPanel();
      expect(codes(await as('healthLead', MEMBER_VIEW, { id: other.id }))).toEqual(['NOT_FOUND']);
      expect(codes(await as('health', MEMBER_VIEW, { id: escalationId }))).toEqual(['NOT_FOUND']);
      expect(
        codes(
          await as('healthLead', `query ($id: ID!) { case(id: $id) { id } }`, {
            id: t.demo.cases[1],
          }),
        ),
      ).toEqual(['NOT_FOUND']);
    });

    it('takes representations from the two agencies only, never empty', async () => {
      const police = ok(
        await as('police', REPRESENT, {
          input: { panelId, statement: 'The disclosure meets the threshold for section 47.' },
        }),
        'submitRepresentation',
      );
      expect(police).toMatchObject({
        agency: { id: t.demo.agencies.police },
        submittedBy: { id: person('police') },
      });
      ok(
        await as('csc', REPRESENT, {
          input: { panelId, statement: 'The assessment found protective factors at home.' },
        }),
        'submitRepresentation',
      );
      ok(
        await as('police', REPRESENT, {
          input: { panelId, statement: 'A second statement: the school log supports it.' },
        }),
        'submitRepresentation',
      );
      const empty = await as('csc', REPRESENT, { input: { panelId, statement: '   ' } });
      expect(codes(empty)).toEqual(['BAD_USER_INPUT']);
      expect(empty.errors![0].extensions?.field).toBe('input.statement');
      // A member of another agency sees the panel but makes no representation.
      expect(
        codes(await as('healthLead', REPRESENT, { input: { panelId, statement: 'x' } })),
      ).toEqual(['FORBIDDEN']);
      expect(codes(await as('housing', REPRESENT, { input: { panelId, statement: 'x' } }))).toEqual(
        ['NOT_FOUND'],
      );
      const panel = ok(await as('healthLead', GET_PANEL, { id: panelId }), 'resolutionPanel');
      expect(panel.representations.map((r: any) => r.agency.id)).toEqual([
        t.demo.agencies.police,
        t.demo.agencies.socialCare,
        t.demo.agencies.police,
      ]);
    });

    it('records the decision once, by the chair; the escalation is resolved with it at the panel stage', async () => {
      const input = {
        panelId,
        summary: 'The threshold for a section 47 enquiry is met.',
        nextCourseOfAction: 'CSC starts a section 47 enquiry today; strategy discussion tomorrow.',
        outstandingIssues: [
          {
            description: 'Hold the strategy discussion',
            ownerAgencyId: t.demo.agencies.socialCare,
            dueDate: '2030-01-31',
          },
        ],
      };
      expect(codes(await as('police', DECIDE, { input }))).toEqual(['FORBIDDEN']);
      const badOwner = await as('healthLead', DECIDE, {
        input: {
          ...input,
          outstandingIssues: [
            { description: 'x', ownerAgencyId: '00000000-0000-4000-8000-000000000000' },
          ],
        },
      });
      expect(codes(badOwner)).toEqual(['NOT_FOUND']);
      expect(badOwner.errors![0].extensions?.field).toBe('input.outstandingIssues.0.ownerAgencyId');

      const decided = ok(await as('healthLead', DECIDE, { input }), 'recordPanelDecision');
      expect(decided.status).toBe('DECIDED');
      expect(decided.decision).toMatchObject({
        summary: input.summary,
        nextCourseOfAction: input.nextCourseOfAction,
        outstandingIssues: [
          {
            description: 'Hold the strategy discussion',
            dueDate: '2030-01-31',
            done: false,
            ownerAgency: { id: t.demo.agencies.socialCare },
          },
        ],
      });
      const again = await as('boardManager', DECIDE, {
        input: { ...input, summary: 'A different decision.' },
      });
      expect(codes(again)).toEqual(['CONFLICT']);
      expect(
        codes(await as('police', REPRESENT, { input: { panelId, statement: 'Late.' } })),
      ).toEqual(['CONFLICT']);

      const resolved = await eventually(async () => {
        const e = ok(await as('police', ESCALATION, { id: escalationId }), 'escalation');
        expect(e.status).toBe('RESOLVED');
        return e;
      });
      expect(resolved.currentStage).toBeNull();
      expect(resolved.outcome).toMatchObject({
        agreedAtStage: 4,
        confirmedByAllParties: false,
        outstandingIssues: [
          {
            id: decided.decision.outstandingIssues[0].id,
            description: 'Hold the strategy discussion',
            done: false,
          },
        ],
      });
      expect(resolved.outcome.summary).toContain(input.summary);
      expect(resolved.outcome.summary).toContain(input.nextCourseOfAction);
      expect(resolved.records.at(-1)).toMatchObject({
        kind: 'OUTCOME',
        stageNumber: 4,
        author: { id: person('healthLead') },
      });
      const unchanged = ok(await as('boardManager', GET_PANEL, { id: panelId }), 'resolutionPanel');
      expect(unchanged.decision.summary).toBe(input.summary);

      // The agencies confirm it as any outcome.
      ok(await as('police', CONFIRM, { id: escalationId }), 'confirmOutcome');
      const closed = ok(await as('csc', CONFIRM, { id: escalationId }), 'confirmOutcome');
      expect(closed.status).toBe('CLOSED');
    });

    it('applies PanelDecided once: a redelivered event changes nothing', async () => {
      // The relay publishes the same event (same id) again, as after a crash before its ack.
      const em = t.db('panels').orm.em.fork();
      const decided = await em.findOneOrFail(OutboxEvent, {
        type: 'PanelDecided',
        aggregateId: panelId,
      });
      expect(decided.publishedAt).not.toBeNull();
      decided.publishedAt = null;
      await em.flush();
      expect(await t.hub.subgraphs.panels.relay.drain()).toBeGreaterThanOrEqual(1);
      const e = ok(await as('police', ESCALATION, { id: escalationId }), 'escalation');
      expect(e.status).toBe('CLOSED');
      expect(e.records.filter((r: any) => r.kind === 'OUTCOME')).toHaveLength(1);
    });

    it('says in its events who, what and when in ids, codes, kinds and times only', async () => {
      const em = t.db('panels').orm.em.fork();
      const events = await em.find(
        OutboxEvent,
        { aggregateId: panelId },
        { orderBy: { seq: 'asc' } },
      );
      expect(events.map((e) => e.type)).toEqual([
        'PanelConvened',
        'RepresentationSubmitted',
        'RepresentationSubmitted',
        'RepresentationSubmitted',
        'PanelDecided',
      ]);
      const convened = events[0].payload as Record<string, any>;
      expect(convened).toMatchObject({
        panelId,
        escalationId,
        boardId: t.demo.boardId,
        stageNumber: 4,
        raisingAgencyKind: 'POLICE',
        respondingAgencyKind: 'CHILDRENS_SOCIAL_CARE',
        agencyCount: 3,
      });
      expect([...convened.memberAgencyKinds].sort()).toEqual([
        'CHILDRENS_SOCIAL_CARE',
        'HEALTH',
        'POLICE',
      ]);
      const decided = events.at(-1)!.payload;
      expect(decided).toMatchObject({ panelId, escalationId, outstandingIssueCount: 1 });
      const text = JSON.stringify(events);
      for (const words of ['section 47', 'strategy', 'threshold'])
        expect(text).not.toContain(words);
    });
  });
});

/** What `npm start` shows of panels: one convened, one decided whose escalation it resolved. */
describe('the demo panels', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub('sqlite');
  }, 60_000);
  afterAll(() => t?.close());

  it('has a convened panel and a decided one', async () => {
    const target = {
      url: t.url,
      adminToken: t.adminToken,
      tokenFor: t.tokenFor,
      setClock: (at: Date | null) => t.clock.set(at),
    };
    const panels = await seedDemoPanels(target, t.demo, await seedDemoEscalations(target, t.demo));
    const response = await t.gql(
      await t.tokenOf('boardManager'),
      `query ($boardId: ID!) { resolutionPanels(boardId: $boardId) { id status compositionNotes
         representations { id } decision { outstandingIssues { id } }
         escalation { id status outcome { agreedAtStage } } } }`,
      { boardId: t.demo.boardId },
    );
    expect(response.errors).toBeUndefined();
    const byId = new Map<string, any>(response.data!.resolutionPanels.map((p: any) => [p.id, p]));
    expect(byId.get(panels.convened)).toMatchObject({
      status: 'CONVENED',
      compositionNotes: [],
      representations: [expect.anything()],
      decision: null,
      escalation: { status: 'OPEN', outcome: null },
    });
    const decided = byId.get(panels.decided);
    expect(decided).toMatchObject({
      status: 'DECIDED',
      escalation: {
        id: panels.decidedEscalation,
        status: 'RESOLVED',
        outcome: { agreedAtStage: 4 },
      },
    });
    expect(decided.representations).toHaveLength(2);
    expect(decided.decision.outstandingIssues).toHaveLength(2);
    expect(decided.compositionNotes).toEqual([
      expect.stringMatching(/raising agency \(EDUCATION\) has no eligible member/),
    ]);
  });
});
