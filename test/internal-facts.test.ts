import { randomUUID } from 'node:crypto';
import {
  ACTOR_HEADER,
  baseUrlOf,
  InternalClient,
  MAX_FACT_IDS,
  secretKey,
  signActor,
  type RequestMeta,
} from '@hub/kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFactLoaders } from '../subgraphs/escalations/src/facts/cases-facts.js';
import { createCaseFactLoaders as learningCaseFacts } from '../subgraphs/learning/src/facts/cases-facts.js';
import { createEscalationFactLoaders as learningEscalationFacts } from '../subgraphs/learning/src/facts/escalations-facts.js';
import { createCaseFactLoaders as panelsCaseFacts } from '../subgraphs/panels/src/facts/cases-facts.js';
import { createEscalationFactLoaders as panelsEscalationFacts } from '../subgraphs/panels/src/facts/escalations-facts.js';
import { startTestHub, type TestHub } from './support/hub.js';

const RAISE = `mutation ($input: RaiseEscalationInput!) { raiseEscalation(input: $input) { id } }`;

/**
 * The subgraphs' internal facts routes answer at most MAX_FACT_IDS ids of a kind a request, and
 * refuse more with 400 rather than answer part; the loaders that ask them split a larger batch.
 * A GraphQL request rarely asks that many in one tick, but a board-wide list could.
 */
describe('internal facts: batches larger than a route answers', () => {
  let t: TestHub;
  /** Practitioners, agencies and boards of two boards, the demo's and one made here. */
  const known = { boards: [] as string[], agencies: [] as string[], practitioners: [] as string[] };
  const escalationIds: string[] = [];
  const meta = (): RequestMeta => ({ correlationId: randomUUID(), ip: null });
  const client = (subgraph: 'cases' | 'escalations' | 'panels', service: string) =>
    new InternalClient(
      baseUrlOf(t.hub.subgraphs[subgraph].url),
      secretKey(t.internalSecret),
      service,
    );
  /** More unknown ids than one call may carry: each batch must be split to be answered at all. */
  const unknown = () => Array.from({ length: MAX_FACT_IDS + 100 }, () => randomUUID());

  const post = async (
    subgraph: 'cases' | 'escalations' | 'panels',
    path: string,
    body: unknown,
  ) => {
    const header = await signActor(
      secretKey(t.internalSecret),
      { kind: 'service', id: 'test', roles: [], agencyId: null, agencyKind: null, boardId: null },
      meta(),
    );
    const response = await fetch(`${baseUrlOf(t.hub.subgraphs[subgraph].url)}/internal${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [ACTOR_HEADER]: header },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };

  beforeAll(async () => {
    t = await startTestHub('sqlite');
    const admin = async (query: string, variables: Record<string, unknown>) => {
      const response = await t.gql(t.adminToken, query, variables);
      expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
      return response.data!;
    };
    const board = (
      await admin(`mutation ($input: CreateBoardInput!) { createBoard(input: $input) { id } }`, {
        input: { name: 'Southmoor Safeguarding Children Partnership', region: 'GB-WLS' },
      })
    ).createBoard.id as string;
    const agency = (
      await admin(`mutation ($input: CreateAgencyInput!) { createAgency(input: $input) { id } }`, {
        input: { boardId: board, name: 'Southmoor Police', kind: 'POLICE' },
      })
    ).createAgency.id as string;
    const practitioner = (
      await admin(
        `mutation ($input: CreatePractitionerInput!) { createPractitioner(input: $input) { id } }`,
        {
          input: {
            agencyId: agency,
            name: 'Sam Okafor',
            email: 'sam.okafor@southmoor.example',
            roles: ['PRACTITIONER'],
          },
        },
      )
    ).createPractitioner.id as string;
    known.boards = [t.demo.boardId, board];
    known.agencies = [...Object.values(t.demo.agencies), agency];
    known.practitioners = [...Object.values(t.demo.people).map((p) => p.id), practitioner];
    const police = await t.tokenOf('police');
    for (const caseId of t.demo.cases.slice(0, 1)) {
      const raised = await t.gql(police, RAISE, {
        input: {
          caseId,
          respondingAgencyId: t.demo.agencies.socialCare,
          respondentId: t.demo.people.csc.id,
          category: 'LEVELS_OF_NEED',
          ground: 'DECISION_CHALLENGE',
          summary: 'The referral was closed; police consider the threshold is met.',
          desiredOutcome: 'A strategy discussion.',
        },
      });
      expect(raised.errors, JSON.stringify(raised.errors)).toBeUndefined();
      escalationIds.push(raised.data!.raiseEscalation.id as string);
    }
  });
  afterAll(() => t?.close());

  it('refuses a request asking more ids of a kind than it answers, naming the kind', async () => {
    const tooMany = Array.from({ length: MAX_FACT_IDS + 1 }, () => randomUUID());
    const facts = await post('cases', '/facts', { practitioners: tooMany });
    expect(facts.status).toBe(400);
    expect(facts.body.error).toBe(
      `practitioners: ${MAX_FACT_IDS + 1} ids asked in one request; at most ${MAX_FACT_IDS} are answered`,
    );
    const escalationFacts = await post('escalations', '/escalation-facts', { issues: tooMany });
    expect(escalationFacts.status).toBe(400);
    expect(escalationFacts.body.error).toMatch(/^issues: 501 ids asked/);
    const decisions = await post('panels', '/panel-decisions', { panels: tooMany.slice(0, 101) });
    expect(decisions.status).toBe(400);
    expect(decisions.body.error).toMatch(/^panels: 101 ids asked in one request; at most 100/);

    // At the limit, and with the same id many times over (it counts once), it answers.
    const atLimit = await post('cases', '/facts', {
      practitioners: [...tooMany.slice(2), ...Array(50).fill(known.practitioners[0])],
    });
    expect(atLimit.status).toBe(200);
    expect(atLimit.body.practitioners.map((p: { id: string }) => p.id)).toEqual([
      known.practitioners[0],
    ]);
  });

  it('says why, when a service call is refused', async () => {
    const tooMany = Array.from({ length: MAX_FACT_IDS + 1 }, () => randomUUID());
    await expect(
      client('cases', 'escalations').post('/facts', { boards: tooMany }, meta()),
    ).rejects.toThrow(/HTTP 400 .*boards: 501 ids asked in one request/);
  });

  it("the escalations subgraph's loaders answer a batch larger than a call carries", async () => {
    const facts = createFactLoaders(client('cases', 'escalations'), meta());
    const [practitioners, boards, agencies] = await Promise.all([
      facts.practitioner.loadMany([...unknown(), ...known.practitioners]),
      facts.board.loadMany([...known.boards, ...unknown()]),
      facts.agency.loadMany([...unknown(), ...known.agencies, ...unknown()]),
    ]);
    for (const answers of [practitioners, boards, agencies]) {
      expect(answers.filter((a) => a instanceof Error)).toEqual([]);
    }
    expect(practitioners.filter(Boolean).map((p) => (p as { id: string }).id)).toEqual(
      known.practitioners,
    );
    expect(boards.filter(Boolean).map((b) => (b as { id: string }).id)).toEqual(known.boards);
    expect(agencies.filter(Boolean).map((a) => (a as { id: string }).id)).toEqual(known.agencies);
  });

  it("the panels subgraph's loaders answer a batch larger than a call carries", async () => {
    const cases = panelsCaseFacts(client('cases', 'panels'), meta());
    const escalations = panelsEscalationFacts(client('escalations', 'panels'), meta());
    const [members, found, done] = await Promise.all([
      cases.agencyPractitioners.loadMany([...unknown(), ...known.agencies]),
      escalations.escalation.loadMany([...unknown(), ...escalationIds]),
      escalations.issueDone.loadMany(unknown()),
    ]);
    expect(members.filter((a) => a instanceof Error)).toEqual([]);
    // Every practitioner of the two boards belongs to one of the agencies asked.
    expect(
      (members as { id: string }[][])
        .flat()
        .map((p) => p.id)
        .sort(),
    ).toEqual([...known.practitioners].sort());
    expect(found.filter((a) => a instanceof Error)).toEqual([]);
    expect(found.filter(Boolean).map((e) => (e as { id: string }).id)).toEqual(escalationIds);
    expect(done.every((d) => d === false)).toBe(true);
  });

  it("the learning subgraph's loaders answer a batch larger than a call carries", async () => {
    const cases = learningCaseFacts(client('cases', 'learning'), meta());
    const escalations = learningEscalationFacts(client('escalations', 'learning'), meta());
    const [practitioners, found] = await Promise.all([
      cases.practitioner.loadMany([...known.practitioners, ...unknown()]),
      escalations.escalation.loadMany([...escalationIds, ...unknown()]),
    ]);
    expect(practitioners.filter((a) => a instanceof Error)).toEqual([]);
    expect(practitioners.filter(Boolean).map((p) => (p as { id: string }).id)).toEqual(
      known.practitioners,
    );
    expect(found.filter((a) => a instanceof Error)).toEqual([]);
    expect(found.filter(Boolean).map((e) => (e as { id: string }).id)).toEqual(escalationIds);
  });
});
