import { dueAt } from '@hub/escalations';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from './support/databases.js';
import {
  codes,
  eventually,
  startTestHub,
  type GraphQLResponse,
  type TestHub,
} from './support/hub.js';

const ESCALATION_FIELDS = /* GraphQL */ `
  id reference status version policyVersion immediateRisk raisedAt closedAt
  currentStage { number name enteredAt dueAt overdue entryReason }
  stages { number name result completedAt dueAt overdue entryReason }
  records { kind stageNumber text occurredAt author { id } sharedWith { id } }
  outcome { summary agreedAtStage confirmedByAllParties
            outstandingIssues { id description done ownerAgency { id } }
            confirmations { agency { id } practitioner { id } } }
  raisingAgency { id } respondingAgency { id } respondent { id }`;
const RAISE = `mutation ($input: RaiseEscalationInput!) { raiseEscalation(input: $input) { ${ESCALATION_FIELDS} } }`;
const GET = `query ($id: ID!) { escalation(id: $id) { ${ESCALATION_FIELDS} } }`;
const RECORD = /* GraphQL */ `
  mutation ($input: AddEscalationRecordInput!) {
    addEscalationRecord(input: $input) {
      id
      kind
      stageNumber
      text
      sharedWith {
        id
      }
    }
  }
`;
const ESCALATE = `mutation ($input: EscalateInput!) { escalateEscalation(input: $input) { ${ESCALATION_FIELDS} } }`;
const RESOLVE = `mutation ($input: ResolveEscalationInput!) { resolveEscalation(input: $input) { ${ESCALATION_FIELDS} } }`;
const CONFIRM = `mutation ($id: ID!) { confirmOutcome(escalationId: $id) { ${ESCALATION_FIELDS} } }`;
const WITHDRAW = `mutation ($id: ID!, $reason: String!) { withdrawEscalation(escalationId: $id, reason: $reason) { ${ESCALATION_FIELDS} } }`;
const POLICY = /* GraphQL */ `
  query ($id: ID!) {
    board(id: $id) {
      region
      escalationPolicy {
        version
        panelAgencyCount
        updatedAt
        board {
          id
        }
        stages {
          number
          name
          participants
          actingRoles
          timescaleWorkingDays
          resolutionPanel
        }
      }
    }
  }
`;
const UPDATE_POLICY = /* GraphQL */ `
  mutation ($input: UpdateEscalationPolicyInput!) {
    updateEscalationPolicy(input: $input) {
      version
      stages {
        number
        name
        timescaleWorkingDays
        resolutionPanel
      }
    }
  }
`;

type Escalation = Record<string, any>;

describe.each(databaseKinds)('the escalation procedure through the gateway (%s)', (kind) => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub(kind);
  });
  afterAll(() => t?.close());

  const input = (overrides: Record<string, unknown> = {}) => ({
    caseId: t.demo.cases[0],
    respondingAgencyId: t.demo.agencies.socialCare,
    respondentId: t.demo.people.csc.id,
    category: 'LEVELS_OF_NEED',
    ground: 'DECISION_CHALLENGE',
    summary:
      'Children’s social care closed the referral with no further action; police consider the threshold for a strategy discussion is met.',
    desiredOutcome: 'A strategy discussion within two working days.',
    ...overrides,
  });
  const as = async (person: string, query: string, variables: Record<string, unknown> = {}) =>
    t.gql(await t.tokenOf(person), query, variables);
  const ok = <T = Escalation>(response: GraphQLResponse, field: string): T => {
    expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
    return response.data![field] as T;
  };
  const raise = async (person = 'police', overrides: Record<string, unknown> = {}) =>
    ok(await as(person, RAISE, { input: input(overrides) }), 'raiseEscalation');
  const discuss = async (person: string, id: string, text = 'Discussed by phone; no agreement.') =>
    ok(
      await as(person, RECORD, { input: { escalationId: id, kind: 'DISCUSSION', text } }),
      'addEscalationRecord',
    );

  describe('policy', () => {
    it('gives a new board the default policy: 4 stages of 3, 5, 5 and 10 working days, the last a panel', async () => {
      const board = ok<any>(await as('police', POLICY, { id: t.demo.boardId }), 'board');
      expect(board.escalationPolicy).toMatchObject({
        version: 1,
        panelAgencyCount: 3,
        board: { id: t.demo.boardId },
      });
      expect(
        board.escalationPolicy.stages.map((s: any) => [
          s.number,
          s.timescaleWorkingDays,
          s.resolutionPanel,
        ]),
      ).toEqual([
        [1, 3, false],
        [2, 5, false],
        [3, 5, false],
        [4, 10, true],
      ]);
      expect(board.escalationPolicy.stages[1].actingRoles).toEqual([
        'LINE_MANAGER',
        'SAFEGUARDING_LEAD',
      ]);
    });

    it('refuses an invalid policy with the field named, a stale version with CONFLICT, and anyone but the board manager', async () => {
      const stage = (over: Record<string, unknown> = {}) => ({
        name: 'Practitioners',
        participants: 'The practitioners who disagree',
        actingRoles: ['PRACTITIONER'],
        timescaleWorkingDays: 3,
        resolutionPanel: false,
        ...over,
      });
      const update = (person: string, over: Record<string, unknown>) =>
        as(person, UPDATE_POLICY, {
          input: {
            boardId: t.demo.boardId,
            stages: [stage()],
            panelAgencyCount: 3,
            expectedVersion: 1,
            ...over,
          },
        });
      expect(codes(await update('police', {}))).toEqual(['FORBIDDEN']);
      const invalid: [Record<string, unknown>, string][] = [
        [{ stages: [] }, 'input.stages'],
        [{ stages: [stage({ resolutionPanel: true }), stage()] }, 'input.stages.0.resolutionPanel'],
        [
          { stages: [stage(), stage({ resolutionPanel: true }), stage({ resolutionPanel: true })] },
          'input.stages.2.resolutionPanel',
        ],
        [{ stages: [stage({ timescaleWorkingDays: 61 })] }, 'input.stages.0.timescaleWorkingDays'],
        [{ stages: [stage({ timescaleWorkingDays: 0 })] }, 'input.stages.0.timescaleWorkingDays'],
        [{ stages: [stage({ actingRoles: [] })] }, 'input.stages.0.actingRoles'],
        [{ stages: [stage({ name: ' ' })] }, 'input.stages.0.name'],
        [{ panelAgencyCount: 1 }, 'input.panelAgencyCount'],
      ];
      for (const [over, field] of invalid) {
        const response = await update('boardManager', over);
        expect(codes(response), field).toEqual(['BAD_USER_INPUT']);
        expect(response.errors?.[0].extensions?.field).toBe(field);
      }
      expect(codes(await update('boardManager', { expectedVersion: 7 }))).toEqual(['CONFLICT']);
      const policy = ok<any>(await as('police', POLICY, { id: t.demo.boardId }), 'board');
      expect(policy.escalationPolicy.version).toBe(1);
    });
  });

  describe('raising', () => {
    it('starts at stage 1, due at 17:00 London time on the 3rd working day, with the concern on the record', async () => {
      const e = await raise();
      expect(e).toMatchObject({
        status: 'OPEN',
        version: 1,
        policyVersion: 1,
        immediateRisk: false,
      });
      expect(e.reference).toMatch(/^ESC-\d{4}-\d{6}$/);
      expect(e.currentStage).toMatchObject({
        number: 1,
        name: 'Practitioner to practitioner',
        overdue: false,
      });
      expect(e.currentStage.dueAt).toBe(dueAt('GB-ENG', new Date(e.raisedAt), 3).toISOString());
      expect(e.records).toEqual([
        expect.objectContaining({
          kind: 'CONCERN_RAISED',
          stageNumber: 1,
          author: { id: t.demo.people.police.id },
        }),
      ]);
      expect(e.records[0].sharedWith.map((p: { id: string }) => p.id).sort()).toEqual(
        [t.demo.people.police.id, t.demo.people.csc.id].sort(),
      );
    });

    it('starts later only with immediate risk, a justification and a consulted manager of the raiser’s agency', async () => {
      const later = { startAtStage: 3 };
      expect(codes(await as('police', RAISE, { input: input(later) }))).toEqual([
        'POLICY_VIOLATION',
      ]);
      const noReason = await as('police', RAISE, {
        input: input({
          ...later,
          immediateRisk: true,
          consultedId: t.demo.people.policeManager.id,
        }),
      });
      expect(noReason.errors?.[0].extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'input.riskJustification',
      });
      const notManager = await as('police', RAISE, {
        input: input({
          ...later,
          immediateRisk: true,
          riskJustification: 'Child disclosed harm today.',
          consultedId: t.demo.people.cscManager.id,
        }),
      });
      expect(notManager.errors?.[0].extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'input.consultedId',
      });
      const outside = await as('police', RAISE, {
        input: input({ startAtStage: 9, immediateRisk: true }),
      });
      expect(outside.errors?.[0].extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'input.startAtStage',
      });

      const e = await raise('police', {
        ...later,
        immediateRisk: true,
        riskJustification: 'Child disclosed harm today and returns home tonight.',
        consultedId: t.demo.people.policeManager.id,
      });
      expect(e.currentStage).toMatchObject({
        number: 3,
        entryReason: 'Child disclosed harm today and returns home tonight.',
      });
      // The concern first, then the consultation written with it, as the raiser would tell it.
      expect(e.records.map((r: any) => r.kind)).toEqual(['CONCERN_RAISED', 'CONSULTATION']);
      expect(e.records[1].text).toBe(
        'Immediate risk: started at stage 3 (Senior managers and safeguarding leads). ' +
          'Justification: Child disclosed harm today and returns home tonight. ' +
          `Consulted: ${t.demo.people.policeManager.name}, line manager.`,
      );
      expect(e.records[1].text).not.toContain(t.demo.people.policeManager.id);
      expect(ok(await as('csc', GET, { id: e.id }), 'escalation').records).toEqual(e.records);
    });

    it('sends a disagreement with the raiser’s own line management to the whistleblowing route', async () => {
      const response = await as('police', RAISE, {
        input: input({
          respondingAgencyId: t.demo.agencies.police,
          respondentId: t.demo.people.policeSenior.id,
        }),
      });
      expect(codes(response)).toEqual(['WHISTLEBLOWING_ROUTE']);
      expect(response.errors?.[0].message).toMatch(/whistleblowing procedure/);
    });

    it('needs the raiser’s agency involved in the case and a responding agency of the board', async () => {
      const notInvolved = await as('housing', RAISE, { input: input() });
      expect(notInvolved.errors?.[0].extensions).toMatchObject({
        code: 'NOT_FOUND',
        field: 'input.caseId',
      });
      const unknownAgency = await as('police', RAISE, {
        input: input({
          respondingAgencyId: '00000000-0000-4000-8000-000000000000',
          respondentId: null,
        }),
      });
      expect(unknownAgency.errors?.[0].extensions).toMatchObject({
        code: 'NOT_FOUND',
        field: 'input.respondingAgencyId',
      });
      const wrongRespondent = await as('police', RAISE, {
        input: input({ respondentId: t.demo.people.health.id }),
      });
      expect(wrongRespondent.errors?.[0].extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'input.respondentId',
      });
    });

    it('involves the responding agency in the case, so it can see what it is challenged about', async () => {
      const caseQuery = /* GraphQL */ `
        query ($id: ID!) {
          case(id: $id) {
            reference
            escalations {
              id
            }
          }
        }
      `;
      expect(codes(await as('housing', caseQuery, { id: t.demo.cases[3] }))).toEqual(['NOT_FOUND']);
      const e = await raise('police', {
        caseId: t.demo.cases[3],
        respondingAgencyId: t.demo.agencies.housing,
        respondentId: t.demo.people.housing.id,
      });
      const seen = await eventually(async () => {
        const response = await as('housing', caseQuery, { id: t.demo.cases[3] });
        expect(response.errors).toBeUndefined();
        return response.data!.case;
      });
      expect(seen.escalations.map((x: { id: string }) => x.id)).toContain(e.id);
    });
  });

  describe('escalating', () => {
    it('needs work recorded at the stage, then completes it as ESCALATED and enters the next', async () => {
      const e = await raise();
      const early = await as('police', ESCALATE, {
        input: { escalationId: e.id, reason: 'No reply.', expectedVersion: e.version },
      });
      expect(codes(early)).toEqual(['POLICY_VIOLATION']);
      await discuss('csc', e.id);
      const moved = ok(
        await as('police', ESCALATE, {
          input: {
            escalationId: e.id,
            reason: 'Still no agreement after discussion.',
            expectedVersion: e.version,
          },
        }),
        'escalateEscalation',
      );
      expect(moved.version).toBe(e.version + 1);
      expect(moved.stages[0]).toMatchObject({ number: 1, result: 'ESCALATED' });
      expect(moved.stages[0].completedAt).toBeTruthy();
      expect(moved.currentStage).toMatchObject({
        number: 2,
        name: 'Line managers',
        entryReason: 'Still no agreement after discussion.',
      });
      expect(moved.currentStage.dueAt).toBe(
        dueAt('GB-ENG', new Date(moved.currentStage.enteredAt), 5).toISOString(),
      );
      expect(moved.records.filter((r: any) => r.kind === 'ESCALATED')).toHaveLength(1);

      // At stage 2 a front-line practitioner of the responding agency may not act; a line manager may.
      await discuss('cscManager', e.id);
      const forbidden = await as('csc', ESCALATE, {
        input: { escalationId: e.id, reason: 'x', expectedVersion: moved.version },
      });
      expect(codes(forbidden)).toEqual(['FORBIDDEN']);
      const stale = await as('cscManager', ESCALATE, {
        input: { escalationId: e.id, reason: 'x', expectedVersion: e.version },
      });
      expect(codes(stale)).toEqual(['CONFLICT']);
      const third = ok(
        await as('cscManager', ESCALATE, {
          input: {
            escalationId: e.id,
            reason: 'Managers could not agree.',
            expectedVersion: moved.version,
          },
        }),
        'escalateEscalation',
      );
      expect(third.currentStage.number).toBe(3);
    });

    it('refuses to escalate from the last stage: the panel decides there', async () => {
      const e = await raise('police', {
        startAtStage: 4,
        immediateRisk: true,
        riskJustification: 'Imminent discharge home.',
        consultedId: t.demo.people.policeManager.id,
      });
      const response = await as('police', ESCALATE, {
        input: { escalationId: e.id, reason: 'More.', expectedVersion: e.version },
      });
      expect(codes(response)).toEqual(['POLICY_VIOLATION']);
      expect(response.errors?.[0].message).toMatch(/panel/);
      const resolve = await as('police', RESOLVE, {
        input: { escalationId: e.id, summary: 'Agreed.', expectedVersion: e.version },
      });
      expect(codes(resolve)).toEqual(['POLICY_VIOLATION']);
    });

    it('lets exactly one of two simultaneous escalations with the same version through', async () => {
      const e = await raise();
      await discuss('police', e.id);
      const [a, b] = await Promise.all([
        as('police', ESCALATE, {
          input: { escalationId: e.id, reason: 'First.', expectedVersion: e.version },
        }),
        as('police', ESCALATE, {
          input: { escalationId: e.id, reason: 'Second.', expectedVersion: e.version },
        }),
      ]);
      expect([codes(a), codes(b)].sort()).toEqual([[], ['CONFLICT']]);
      const after = ok(await as('police', GET, { id: e.id }), 'escalation');
      expect(after.stages).toHaveLength(2);
      expect(after.records.filter((r: any) => r.kind === 'ESCALATED')).toHaveLength(1);
      expect(after.version).toBe(e.version + 1);
    });
  });

  describe('the record', () => {
    it('shares every record with the raiser and the respondent, and refuses future dates and system kinds', async () => {
      const e = await raise();
      const record = ok<any>(
        await as('csc', RECORD, {
          input: {
            escalationId: e.id,
            kind: 'ACTION',
            text: 'Manager review booked.',
            sharedWithIds: [t.demo.people.cscManager.id],
          },
        }),
        'addEscalationRecord',
      );
      expect(record.sharedWith.map((p: { id: string }) => p.id).sort()).toEqual(
        [t.demo.people.police.id, t.demo.people.csc.id, t.demo.people.cscManager.id].sort(),
      );
      const future = await as('csc', RECORD, {
        input: {
          escalationId: e.id,
          kind: 'NOTE',
          text: 'x',
          occurredAt: '2999-01-01T00:00:00.000Z',
        },
      });
      expect(future.errors?.[0].extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'input.occurredAt',
      });
      const badDate = await as('csc', RECORD, {
        input: { escalationId: e.id, kind: 'NOTE', text: 'x', occurredAt: 'yesterday' },
      });
      expect(badDate.errors?.[0].extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'input.occurredAt',
      });
      const system = await as('csc', RECORD, {
        input: { escalationId: e.id, kind: 'OUTCOME', text: 'x' },
      });
      expect(system.errors?.[0].extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'input.kind',
      });
      const empty = await as('csc', RECORD, {
        input: { escalationId: e.id, kind: 'NOTE', text: '  ' },
      });
      expect(empty.errors?.[0].extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'input.text',
      });
      const after = ok(await as('police', GET, { id: e.id }), 'escalation');
      expect(after.records.map((r: any) => r.kind)).toEqual(['CONCERN_RAISED', 'ACTION']);
    });

    it('reads in the order things happened, whenever each was written down', async () => {
      const e = await raise();
      const raisedAt = new Date(e.raisedAt).getTime();
      const write = async (kind: string, text: string, occurredAt?: Date) =>
        ok<any>(
          await as('csc', RECORD, {
            input: { escalationId: e.id, kind, text, occurredAt: occurredAt?.toISOString() },
          }),
          'addEscalationRecord',
        );
      await write('NOTE', 'Written now.');
      await write(
        'DISCUSSION',
        'Phone call this morning, before the concern.',
        new Date(raisedAt - 3_600_000),
      );
      await write('ACTION', 'Email sent just after the concern.', new Date(raisedAt + 1));
      const after = ok(await as('police', GET, { id: e.id }), 'escalation');
      expect(after.records.map((r: any) => r.kind)).toEqual([
        'DISCUSSION',
        'CONCERN_RAISED',
        'ACTION',
        'NOTE',
      ]);
    });

    it('has no way to edit or delete a record, an outcome or a confirmation', async () => {
      const { data } = await as(
        'admin',
        /* GraphQL */ `
          {
            __schema {
              mutationType {
                fields {
                  name
                }
              }
            }
          }
        `,
      );
      const names: string[] = data!.__schema.mutationType.fields.map(
        (f: { name: string }) => f.name,
      );
      expect(
        names.filter((n) =>
          /(update|edit|delete|remove)\w*(Record|Outcome|Confirmation|Representation|Decision)/i.test(
            n,
          ),
        ),
      ).toEqual([]);
      expect(names).toContain('addEscalationRecord');
    });
  });

  describe('outcome', () => {
    it('resolves with outstanding issues, closes once both agencies confirm, and lets the owner complete an issue', async () => {
      const e = await raise();
      await discuss('csc', e.id, 'Agreed by phone to hold a strategy discussion.');
      const resolved = ok(
        await as('csc', RESOLVE, {
          input: {
            escalationId: e.id,
            summary: 'Strategy discussion to be held; CSC to reopen the referral.',
            outstandingIssues: [
              {
                description: 'Hold strategy discussion',
                ownerAgencyId: t.demo.agencies.socialCare,
                dueDate: '2030-01-10',
              },
            ],
            expectedVersion: e.version,
          },
        }),
        'resolveEscalation',
      );
      expect(resolved).toMatchObject({ status: 'RESOLVED', currentStage: null, closedAt: null });
      expect(resolved.stages[0].result).toBe('RESOLVED');
      expect(resolved.outcome).toMatchObject({ agreedAtStage: 1, confirmedByAllParties: false });
      const issue = resolved.outcome.outstandingIssues[0];
      expect(issue).toMatchObject({ done: false, ownerAgency: { id: t.demo.agencies.socialCare } });

      const first = ok(await as('police', CONFIRM, { id: e.id }), 'confirmOutcome');
      expect(first).toMatchObject({
        status: 'RESOLVED',
        outcome: { confirmedByAllParties: false },
      });
      expect(codes(await as('police', CONFIRM, { id: e.id }))).toEqual(['CONFLICT']);
      expect(codes(await as('school', CONFIRM, { id: e.id }))).toEqual(['NOT_FOUND']);
      const closed = ok(await as('cscManager', CONFIRM, { id: e.id }), 'confirmOutcome');
      expect(closed).toMatchObject({ status: 'CLOSED', outcome: { confirmedByAllParties: true } });
      expect(closed.closedAt).toBeTruthy();
      expect(closed.records.filter((r: any) => r.kind === 'CONFIRMATION')).toHaveLength(2);

      const complete = /* GraphQL */ `
        mutation ($e: ID!, $i: ID!) {
          completeOutstandingIssue(escalationId: $e, issueId: $i) {
            outcome {
              outstandingIssues {
                done
              }
            }
          }
        }
      `;
      expect(codes(await as('police', complete, { e: e.id, i: issue.id }))).toEqual(['FORBIDDEN']);
      const done = ok<any>(
        await as('csc', complete, { e: e.id, i: issue.id }),
        'completeOutstandingIssue',
      );
      expect(done.outcome.outstandingIssues[0].done).toBe(true);
      expect(codes(await as('csc', complete, { e: e.id, i: issue.id }))).toEqual(['CONFLICT']);
    });

    it('resolves a stage only once a discussion, action or decision is on the record there, whatever the risk', async () => {
      const e = await raise();
      await discuss('police', e.id, 'Discussed at stage 1; no agreement.');
      const atTwo = ok(
        await as('police', ESCALATE, {
          input: { escalationId: e.id, reason: 'No agreement.', expectedVersion: e.version },
        }),
        'escalateEscalation',
      );
      const outcome = { summary: 'Strategy discussion on Friday.', expectedVersion: atTwo.version };
      // Work at stage 1 does not count for stage 2, nor does a note.
      await as('cscManager', RECORD, {
        input: { escalationId: e.id, kind: 'NOTE', text: 'Managers to speak tomorrow.' },
      });
      const early = await as('cscManager', RESOLVE, { input: { escalationId: e.id, ...outcome } });
      expect(codes(early)).toEqual(['POLICY_VIOLATION']);
      expect(early.errors?.[0].message).toMatch(/at stage 2 before recording the outcome/);
      expect(ok(await as('police', GET, { id: e.id }), 'escalation')).toMatchObject({
        status: 'OPEN',
        version: atTwo.version,
        outcome: null,
      });
      await as('cscManager', RECORD, {
        input: {
          escalationId: e.id,
          kind: 'DECISION',
          text: 'Team managers agreed a strategy discussion is needed.',
        },
      });
      const resolved = ok(
        await as('cscManager', RESOLVE, { input: { escalationId: e.id, ...outcome } }),
        'resolveEscalation',
      );
      expect(resolved).toMatchObject({ status: 'RESOLVED', outcome: { agreedAtStage: 2 } });
      // Resolved, it has no current stage: a record written now sits at the last one, stage 2.
      const late = ok<any>(
        await as('csc', RECORD, {
          input: { escalationId: e.id, kind: 'NOTE', text: 'Strategy discussion booked.' },
        }),
        'addEscalationRecord',
      );
      expect(late).toMatchObject({ kind: 'NOTE', stageNumber: 2 });

      // Immediate risk lets an escalation start later and move up without waiting; it does not
      // let an outcome stand on nothing done at its stage.
      const urgent = await raise('police', {
        startAtStage: 2,
        immediateRisk: true,
        riskJustification: 'Child due home tonight',
        consultedId: t.demo.people.policeManager.id,
      });
      const unworked = await as('police', RESOLVE, {
        input: { escalationId: urgent.id, summary: 'Agreed.', expectedVersion: urgent.version },
      });
      expect(codes(unworked)).toEqual(['POLICY_VIOLATION']);
      await as('policeManager', RECORD, {
        input: {
          escalationId: urgent.id,
          kind: 'DISCUSSION',
          text: 'Spoke with CSC duty manager.',
        },
      });
      const agreed = ok(
        await as('police', RESOLVE, {
          input: { escalationId: urgent.id, summary: 'Agreed.', expectedVersion: urgent.version },
        }),
        'resolveEscalation',
      );
      expect(agreed.outcome.agreedAtStage).toBe(2);
      expect(agreed.records.find((r: any) => r.kind === 'CONSULTATION').text).toContain(
        'Justification: Child due home tonight. Consulted:',
      );
    });

    it('lets only the raiser withdraw, with a reason', async () => {
      const e = await raise();
      expect(codes(await as('csc', WITHDRAW, { id: e.id, reason: 'Not ours.' }))).toEqual([
        'FORBIDDEN',
      ]);
      const blank = await as('police', WITHDRAW, { id: e.id, reason: ' ' });
      expect(blank.errors?.[0].extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'reason',
      });
      const withdrawn = ok(
        await as('police', WITHDRAW, { id: e.id, reason: 'Resolved informally at a core group.' }),
        'withdrawEscalation',
      );
      expect(withdrawn).toMatchObject({ status: 'WITHDRAWN', currentStage: null });
      expect(withdrawn.stages[0].result).toBe('WITHDRAWN');
      expect(withdrawn.records.at(-1)).toMatchObject({
        kind: 'WITHDRAWAL',
        text: 'Resolved informally at a core group.',
      });
    });
  });

  describe('visibility', () => {
    it('shows the two agencies and the board manager; a third agency gets NOT_FOUND; an analyst none', async () => {
      const e = await raise();
      expect(ok(await as('csc', GET, { id: e.id }), 'escalation').id).toBe(e.id);
      expect(ok(await as('boardManager', GET, { id: e.id }), 'escalation').id).toBe(e.id);
      expect(codes(await as('school', GET, { id: e.id }))).toEqual(['NOT_FOUND']);
      expect(codes(await as('analyst', GET, { id: e.id }))).toEqual(['FORBIDDEN']);
      const list = /* GraphQL */ `
        query ($f: EscalationFilter) {
          escalations(filter: $f, first: 100) {
            totalCount
            edges {
              node {
                id
              }
            }
          }
        }
      `;
      const school = ok<any>(
        await as('school', list, { f: { caseId: t.demo.cases[0] } }),
        'escalations',
      );
      expect(school.edges.map((x: any) => x.node.id)).not.toContain(e.id);
      const police = ok<any>(
        await as('police', list, { f: { caseId: t.demo.cases[0] } }),
        'escalations',
      );
      expect(police.edges.map((x: any) => x.node.id)).toContain(e.id);
      expect(codes(await as('analyst', list, {}))).toEqual(['FORBIDDEN']);
    });
  });

  describe('events', () => {
    it('go through the outbox with the figures learning needs and no free text or personal data', async () => {
      const rows = await t
        .db('escalations')
        .orm.em.fork()
        .getConnection()
        .execute(`select type, payload from outbox_event`);
      const types = new Set(rows.map((r: any) => r.type));
      for (const type of [
        'EscalationRaised',
        'StageEntered',
        'StageCompleted',
        'EscalationResolved',
        'OutcomeConfirmed',
        'EscalationClosed',
        'EscalationWithdrawn',
      ]) {
        expect(types, type).toContain(type);
      }
      const allowed = new Set([
        'escalationId',
        'boardId',
        'category',
        'ground',
        'raisingAgencyKind',
        'respondingAgencyKind',
        'immediateRisk',
        'policyVersion',
        'raisedAt',
        'startStage',
        'caseId',
        'respondingAgencyId',
        'stageNumber',
        'enteredAt',
        'dueAt',
        'completedAt',
        'result',
        'withinTimescale',
        'agreedAt',
        'workingDaysToOutcome',
        'outstandingIssueCount',
        'agencyKind',
        'confirmedAt',
        'closedAt',
        'withdrawnAt',
        'kind',
        'version',
        'stageCount',
        'resolutionPanel',
      ]);
      for (const row of rows) {
        const payload = typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload;
        expect(
          Object.keys(payload).filter((key) => !allowed.has(key)),
          row.type,
        ).toEqual([]);
        expect(JSON.stringify(payload)).not.toMatch(
          /social care closed|strategy|Ellie|Okafor|Patel/i,
        );
        expect(JSON.stringify(payload)).not.toContain(t.demo.people.police.id);
      }
    });
  });

  describe('bad input', () => {
    it('names the field and writes nothing', async () => {
      const count = async () =>
        (
          await t
            .db('escalations')
            .orm.em.fork()
            .getConnection()
            .execute(`select count(*) as n from escalation`)
        )[0].n;
      const before = Number(await count());
      const cases: [Record<string, unknown>, string, string][] = [
        [{ summary: 'x'.repeat(2001) }, 'BAD_USER_INPUT', 'input.summary'],
        [{ desiredOutcome: '' }, 'BAD_USER_INPUT', 'input.desiredOutcome'],
        [{ caseId: 'not-a-uuid' }, 'BAD_USER_INPUT', 'input.caseId'],
        [{ caseId: '00000000-0000-4000-8000-000000000000' }, 'NOT_FOUND', 'input.caseId'],
        [{ startAtStage: 0 }, 'BAD_USER_INPUT', 'input.startAtStage'],
      ];
      for (const [over, code, field] of cases) {
        const response = await as('police', RAISE, { input: input(over) });
        expect(response.errors?.[0].extensions, field).toMatchObject({ code, field });
      }
      const badEnum = await as('police', RAISE, { input: input({ category: 'GOSSIP' }) });
      expect(codes(badEnum)).toEqual(['BAD_USER_INPUT']);
      expect(Number(await count())).toBe(before);
      expect(
        codes(await as('police', GET, { id: '00000000-0000-4000-8000-000000000000' })),
      ).toEqual(['NOT_FOUND']);
    });
  });

  describe('Case.escalations and Escalation.case in one query', () => {
    it('issues the same number of SQL statements for 2 escalations as for 6', async () => {
      const query = /* GraphQL */ `
        query ($id: ID!) {
          case(id: $id) {
            reference
            escalations {
              id
              reference
              status
              currentStage {
                number
                dueAt
                overdue
              }
              case {
                id
                reference
              }
              raisingAgency {
                id
              }
            }
          }
        }
      `;
      const measure = async (caseId: string) => {
        const correlationId = `esc-sql-${Math.random()}`;
        const response = await t.gql(
          await t.tokenOf('boardManager'),
          query,
          { id: caseId },
          { correlationId },
        );
        expect(response.errors).toBeUndefined();
        return {
          escalations: response.data!.case.escalations.length,
          sql:
            t.db('escalations').queries.countForRequest(correlationId) +
            t.db('cases').queries.countForRequest(correlationId),
        };
      };
      // Case 1 (school-led) gets 2 escalations, case 2 gets 6.
      for (let i = 0; i < 2; i += 1)
        await raise('school', {
          caseId: t.demo.cases[1],
          respondingAgencyId: t.demo.agencies.socialCare,
          respondentId: null,
        });
      for (let i = 0; i < 6; i += 1)
        await raise('health', {
          caseId: t.demo.cases[2],
          respondingAgencyId: t.demo.agencies.housing,
          respondentId: null,
        });
      const two = await measure(t.demo.cases[1]);
      const six = await measure(t.demo.cases[2]);
      expect([two.escalations, six.escalations]).toEqual([2, 6]);
      expect(six.sql).toBe(two.sql);
      expect(two.sql).toBeGreaterThan(2);
    });
  });

  describe('time', () => {
    it('marks a stage overdue once its working days have passed, finds it by filter, and emits StageOverdue once, even across a restart', async () => {
      const e = await raise();
      const overdueList = /* GraphQL */ `
        {
          escalations(filter: { overdue: true }, first: 100) {
            edges {
              node {
                id
              }
            }
          }
        }
      `;
      expect(
        ok<any>(await as('police', overdueList), 'escalations').edges.map((x: any) => x.node.id),
      ).not.toContain(e.id);

      // Two weeks later, while the hub is down: stage 1 (3 working days) fell due meanwhile.
      t.clock.advanceDays(14);
      await t.restart();
      const later = ok(await as('police', GET, { id: e.id }), 'escalation');
      expect(later.currentStage.overdue).toBe(true);
      expect(
        ok<any>(await as('police', overdueList), 'escalations').edges.map((x: any) => x.node.id),
      ).toContain(e.id);

      const overdueEvents = async () =>
        (
          await t
            .db('escalations')
            .orm.em.fork()
            .getConnection()
            .execute(`select aggregate_id from outbox_event where type = 'StageOverdue'`)
        ).filter((row: any) => row.aggregate_id === e.id).length;
      await eventually(async () => expect(await overdueEvents()).toBe(1));
      const { emitOverdueStages } = await import('@hub/escalations');
      await emitOverdueStages(t.db('escalations').orm.em.fork(), t.clock.now());
      await t.restart();
      await emitOverdueStages(t.db('escalations').orm.em.fork(), t.clock.now());
      expect(await overdueEvents()).toBe(1);

      // Escalated late, the stage keeps `overdue` (completed after dueAt), and no second event.
      await discuss('police', e.id);
      const moved = ok(
        await as('police', ESCALATE, {
          input: { escalationId: e.id, reason: 'Overdue.', expectedVersion: later.version },
        }),
        'escalateEscalation',
      );
      expect(moved.stages[0].overdue).toBe(true);
      expect(moved.currentStage.overdue).toBe(false);
      expect(await overdueEvents()).toBe(1);
    });
  });

  describe('policy versions', () => {
    it('applies a policy change to escalations raised after it; running ones keep theirs', async () => {
      const before = await raise();
      const stages = [
        {
          name: 'Practitioners',
          participants: 'The practitioners',
          actingRoles: ['PRACTITIONER'],
          timescaleWorkingDays: 2,
          resolutionPanel: false,
        },
        {
          name: 'Board chair',
          participants: "The board chair's office",
          actingRoles: ['BOARD_MANAGER'],
          timescaleWorkingDays: 10,
          resolutionPanel: false,
        },
      ];
      const updated = ok<any>(
        await as('boardManager', UPDATE_POLICY, {
          input: { boardId: t.demo.boardId, stages, panelAgencyCount: 3, expectedVersion: 1 },
        }),
        'updateEscalationPolicy',
      );
      expect(updated).toMatchObject({
        version: 2,
        stages: [
          { number: 1, timescaleWorkingDays: 2 },
          { number: 2, resolutionPanel: false },
        ],
      });
      const again = await as('boardManager', UPDATE_POLICY, {
        input: { boardId: t.demo.boardId, stages, panelAgencyCount: 3, expectedVersion: 1 },
      });
      expect(codes(again)).toEqual(['CONFLICT']);

      const after = await raise();
      expect(after.policyVersion).toBe(2);
      expect(after.currentStage.dueAt).toBe(
        dueAt('GB-ENG', new Date(after.raisedAt), 2).toISOString(),
      );
      // The running escalation still moves through version 1's four stages.
      await discuss('police', before.id);
      const moved = ok(
        await as('police', ESCALATE, {
          input: { escalationId: before.id, reason: 'On.', expectedVersion: before.version },
        }),
        'escalateEscalation',
      );
      expect(moved).toMatchObject({
        policyVersion: 1,
        currentStage: { number: 2, name: 'Line managers' },
      });
      // Under version 2 the last stage has no panel: its acting roles resolve it, nobody escalates from it.
      await discuss('police', after.id);
      const atChair = ok(
        await as('police', ESCALATE, {
          input: {
            escalationId: after.id,
            reason: 'To the chair.',
            expectedVersion: after.version,
          },
        }),
        'escalateEscalation',
      );
      const beyond = await as('police', ESCALATE, {
        input: { escalationId: after.id, reason: 'More.', expectedVersion: atChair.version },
      });
      expect(codes(beyond)).toEqual(['POLICY_VIOLATION']);
      await discuss('boardManager', after.id, 'The chair heard both agencies.');
      const resolved = ok(
        await as('boardManager', RESOLVE, {
          input: {
            escalationId: after.id,
            summary: 'The chair decided.',
            expectedVersion: atChair.version,
          },
        }),
        'resolveEscalation',
      );
      expect(resolved.status).toBe('RESOLVED');
    });
  });
});
