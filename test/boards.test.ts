import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from './support/databases.js';
import { codes, startTestHub, type GraphQLResponse, type TestHub } from './support/hub.js';

/** What one board of the test world needs: a police and a social-care practitioner. */
interface World {
  boardId: string;
  police: { agencyId: string; token: string };
  socialCare: { agencyId: string; token: string };
}

function ok<T>(response: GraphQLResponse<T>, what: string): T {
  expect(response.errors, `${what}: ${JSON.stringify(response.errors)}`).toBeUndefined();
  return response.data as T;
}

const CREATE_CASE = /* GraphQL */ `
  mutation ($input: CreateCaseInput!) {
    createCase(input: $input) {
      id
      reference
    }
  }
`;
const RAISE = /* GraphQL */ `
  mutation ($input: RaiseEscalationInput!) {
    raiseEscalation(input: $input) {
      id
      reference
    }
  }
`;

/** The number part of `CASE-2026-000007`. */
const numberOf = (reference: string) => Number(reference.split('-').at(-1));

describe.each(databaseKinds)('one hub, many boards, on %s', (kind) => {
  let hub: TestHub;
  const worlds: World[] = [];

  async function createWorld(n: number): Promise<World> {
    const admin = (query: string, input: Record<string, unknown>) =>
      hub.gql(hub.adminToken, query, { input });
    const { createBoard } = ok(
      await admin(`mutation ($input: CreateBoardInput!) { createBoard(input: $input) { id } }`, {
        name: `Board ${n} ${kind}`,
        region: 'GB-ENG',
      }),
      'createBoard',
    );
    const person = async (agencyKind: string, label: string) => {
      const { createAgency } = ok(
        await admin(
          `mutation ($input: CreateAgencyInput!) { createAgency(input: $input) { id } }`,
          { boardId: createBoard.id, name: `${label} ${n}`, kind: agencyKind },
        ),
        'createAgency',
      );
      const { createPractitioner } = ok(
        await admin(
          `mutation ($input: CreatePractitionerInput!) { createPractitioner(input: $input) { id } }`,
          {
            agencyId: createAgency.id,
            name: `${label} practitioner ${n}`,
            email: `${label.toLowerCase().replace(/\W+/g, '-')}-${n}-${kind}@boards.example`,
            roles: ['PRACTITIONER'],
          },
        ),
        'createPractitioner',
      );
      return { agencyId: createAgency.id, token: await hub.tokenFor(createPractitioner.id) };
    };
    return {
      boardId: createBoard.id,
      police: await person('POLICE', 'Police'),
      socialCare: await person('CHILDRENS_SOCIAL_CARE', 'Social care'),
    };
  }

  beforeAll(async () => {
    hub = await startTestHub(kind);
    // Two new boards beside the demo board: each numbers its references from 1.
    for (const n of [1, 2]) worlds.push(await createWorld(n));
  });
  afterAll(() => hub?.close());

  it('opens cases and raises escalations on three boards at once: no error, no duplicate, no gap', async () => {
    const demo = hub.demo;
    const demoWorld: World = {
      boardId: demo.boardId,
      police: { agencyId: demo.agencies.police, token: await hub.tokenOf('police') },
      socialCare: { agencyId: demo.agencies.socialCare, token: await hub.tokenOf('csc') },
    };
    const all = [demoWorld, ...worlds];
    const perBoard = 6;

    const created = await Promise.all(
      all.flatMap((world) =>
        Array.from({ length: perBoard }, async (_, i) => {
          const response = await hub.gql<{ createCase: { id: string; reference: string } }>(
            world.police.token,
            CREATE_CASE,
            {
              input: {
                boardId: world.boardId,
                planType: 'CHILD_IN_NEED',
                involvedAgencyIds: [world.socialCare.agencyId],
                child: { name: `Child ${i} of ${world.boardId.slice(0, 8)}` },
              },
            },
          );
          return { world, ...ok(response, 'createCase').createCase };
        }),
      ),
    );
    const raised = await Promise.all(
      created.map(async ({ world, id }) => {
        const response = await hub.gql<{ raiseEscalation: { id: string; reference: string } }>(
          world.police.token,
          RAISE,
          {
            input: {
              caseId: id,
              respondingAgencyId: world.socialCare.agencyId,
              category: 'LEVELS_OF_NEED',
              ground: 'DECISION_CHALLENGE',
              summary: 'Threshold for a strategy discussion is met.',
              desiredOutcome: 'A strategy discussion.',
            },
          },
        );
        return { world, ...ok(response, 'raiseEscalation').raiseEscalation };
      }),
    );

    for (const world of all) {
      for (const [what, rows] of [
        ['case', created],
        ['escalation', raised],
      ] as const) {
        const numbers = rows
          .filter((row) => row.world === world)
          .map((row) => numberOf(row.reference))
          .sort((a, b) => a - b);
        // The demo board already had some; the new ones follow on without a gap or a repeat.
        const first = numbers[0]!;
        expect(numbers, `${what} references of board ${world.boardId}`).toEqual(
          Array.from({ length: perBoard }, (_, i) => first + i),
        );
        if (world !== demoWorld) expect(first, `first ${what} of a new board`).toBe(1);
      }
    }
    // The same reference on two boards is two different cases.
    const firstCases = created.filter((row) => numberOf(row.reference) === 1);
    expect(new Set(firstCases.map((row) => row.reference)).size).toBe(1);
    expect(new Set(firstCases.map((row) => row.id)).size).toBe(worlds.length);
  });

  it('keeps each board to itself: a practitioner cannot open a case or see cases on another board', async () => {
    const [one, two] = worlds as [World, World];
    const other = await hub.gql(one.police.token, CREATE_CASE, {
      input: {
        boardId: two.boardId,
        planType: 'CHILD_IN_NEED',
        involvedAgencyIds: [],
        child: { name: 'Somebody Else' },
      },
    });
    expect(codes(other)).toEqual(['NOT_FOUND']);
    const list = await hub.gql(
      one.police.token,
      `query ($b: ID!) { cases(boardId: $b) { totalCount } }`,
      { b: two.boardId },
    );
    expect(codes(list)).toEqual(['NOT_FOUND']);
  });

  it('answers a unique key that a racing request still reaches with CONFLICT, never an internal error', async () => {
    const [one] = worlds as [World];
    const create = (n: number) =>
      hub.gql(
        hub.adminToken,
        `mutation ($input: CreatePractitionerInput!) { createPractitioner(input: $input) { id } }`,
        {
          input: {
            agencyId: one.police.agencyId,
            name: `Racer ${n}`,
            email: `racer-${kind}@boards.example`,
            roles: ['PRACTITIONER'],
          },
        },
      );
    const answers = await Promise.all([1, 2, 3, 4].map(create));
    const refused = answers.flatMap(codes);
    expect(answers.filter((answer) => !answer.errors)).toHaveLength(1);
    expect(refused).toHaveLength(3);
    // Caught by the check before writing (BAD_USER_INPUT) or by the unique key (CONFLICT).
    for (const code of refused) expect(['BAD_USER_INPUT', 'CONFLICT']).toContain(code);
  });
});
