import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from './support/databases.js';
import { codes, startTestHub, type TestHub } from './support/hub.js';

const CASE = /* GraphQL */ `
  query ($id: ID!) {
    case(id: $id) {
      id
      reference
      planType
      child {
        id
        name
        dateOfBirth
        identifiers {
          system
          value
        }
      }
      leadAgency {
        name
      }
      involvedAgencies {
        kind
      }
    }
  }
`;
const CASES = /* GraphQL */ `
  query ($b: ID!, $first: Int, $after: String, $search: String) {
    cases(boardId: $b, first: $first, after: $after, search: $search) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        cursor
        node {
          id
          reference
          child {
            name
          }
          leadAgency {
            name
          }
          involvedAgencies {
            name
          }
        }
      }
    }
  }
`;
const CREATE_CASE = /* GraphQL */ `
  mutation ($input: CreateCaseInput!) {
    createCase(input: $input) {
      id
      reference
      involvedAgencies {
        kind
      }
    }
  }
`;

describe.each(databaseKinds)('cases through the gateway (%s)', (kind) => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub(kind);
  });
  afterAll(() => t?.close());

  const caseInput = (overrides: Record<string, unknown> = {}) => ({
    boardId: t.demo.boardId,
    child: { name: 'Test Child', dateOfBirth: '2018-01-01' },
    planType: 'CHILD_IN_NEED',
    involvedAgencyIds: [t.demo.agencies.police],
    ...overrides,
  });

  it('shows an involved agency the case and the child', async () => {
    const response = await t.gql(await t.tokenOf('police'), CASE, { id: t.demo.cases[0] });
    expect(response.errors).toBeUndefined();
    expect(response.data?.case).toMatchObject({
      reference: expect.stringMatching(/^CASE-\d{4}-\d{6}$/),
      child: {
        name: 'Ellie Marsh',
        dateOfBirth: '2017-05-14',
        identifiers: [{ system: 'nhs-number', value: '9434765919' }],
      },
      leadAgency: { name: "Northbridge Children's Social Care" },
    });
    expect(
      response.data?.case.involvedAgencies.map((a: { kind: string }) => a.kind).sort(),
    ).toEqual(['CHILDRENS_SOCIAL_CARE', 'EDUCATION', 'HEALTH', 'POLICE']);
  });

  it('answers NOT_FOUND to an agency not involved, exactly as for an id that does not exist', async () => {
    const housing = await t.tokenOf('housing');
    const hidden = await t.gql(housing, CASE, { id: t.demo.cases[0] });
    const missing = await t.gql(housing, CASE, { id: '00000000-0000-4000-8000-000000000000' });
    expect(codes(hidden)).toEqual(['NOT_FOUND']);
    expect(codes(missing)).toEqual(['NOT_FOUND']);
    expect(hidden.errors?.[0].message.replace(/[0-9a-f-]{36}/, 'ID')).toBe(
      missing.errors?.[0].message.replace(/[0-9a-f-]{36}/, 'ID'),
    );
    const list = await t.gql(housing, CASES, { b: t.demo.boardId, first: 50 });
    const ids = list.data?.cases.edges.map((e: { node: { id: string } }) => e.node.id);
    expect(ids).toEqual([t.demo.cases[2]]); // housing is involved only in Amara's case
    expect(list.data?.cases.totalCount).toBe(1);
  });

  it("shows the board manager every case of the board but not a child's details", async () => {
    const manager = await t.tokenOf('boardManager');
    const list = await t.gql(manager, CASES, { b: t.demo.boardId, first: 50 });
    expect(list.data?.cases.totalCount).toBeGreaterThanOrEqual(4);
    const one = await t.gql(manager, CASE, { id: t.demo.cases[0] });
    expect(one.data?.case.child).toMatchObject({ name: null, dateOfBirth: null, identifiers: [] });
    // Nor can a name search reveal it.
    const search = await t.gql(manager, CASES, { b: t.demo.boardId, search: 'Ellie' });
    expect(search.data?.cases.totalCount).toBe(0);
  });

  it('searches by reference, and by child name for entitled callers', async () => {
    const csc = await t.tokenOf('csc');
    const byName = await t.gql(csc, CASES, { b: t.demo.boardId, search: 'ellie' });
    expect(byName.data?.cases.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([
      t.demo.cases[0],
    ]);
    const ref = (await t.gql(csc, CASE, { id: t.demo.cases[0] })).data?.case.reference as string;
    const byRef = await t.gql(csc, CASES, { b: t.demo.boardId, search: ref.toLowerCase() });
    expect(byRef.data?.cases.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([
      t.demo.cases[0],
    ]);
    const wildcard = await t.gql(csc, CASES, { b: t.demo.boardId, search: '%' });
    expect(wildcard.data?.cases.totalCount).toBe(0);
  });

  it('adds an agency to a case, which then sees it', async () => {
    const housing = await t.tokenOf('housing');
    const caseId = t.demo.cases[3];
    expect(codes(await t.gql(housing, CASE, { id: caseId }))).toEqual(['NOT_FOUND']);
    const added = await t.gql(
      await t.tokenOf('csc'),
      /* GraphQL */ `
        mutation ($c: ID!, $a: ID!) {
          addAgencyToCase(caseId: $c, agencyId: $a) {
            involvedAgencies {
              kind
            }
          }
        }
      `,
      { c: caseId, a: t.demo.agencies.housing },
    );
    expect(
      added.data?.addAgencyToCase.involvedAgencies.map((a: { kind: string }) => a.kind),
    ).toContain('HOUSING');
    const now = await t.gql(housing, CASE, { id: caseId });
    expect(now.data?.case.child.name).toBe('Leo Fraser');
  });

  it('links a new case to the child already known by the same NHS number, keeping the record as written', async () => {
    const response = await t.gql(await t.tokenOf('housing'), CREATE_CASE, {
      input: caseInput({
        child: { name: 'E. Marsh', identifiers: [{ system: 'nhs-number', value: '943 476 5919' }] },
        involvedAgencyIds: [t.demo.agencies.housing],
      }),
    });
    expect(response.errors).toBeUndefined();
    const created = await t.gql(await t.tokenOf('housing'), CASE, {
      id: response.data?.createCase.id,
    });
    expect(created.data?.case.child.name).toBe('Ellie Marsh');
  });

  it('rejects bad input with the field named, and writes nothing', async () => {
    const police = await t.tokenOf('police');
    const before = (await t.gql(police, CASES, { b: t.demo.boardId })).data?.cases.totalCount;
    const cases: [Record<string, unknown>, string, string][] = [
      [caseInput({ child: { name: '   ' } }), 'BAD_USER_INPUT', 'input.child.name'],
      [caseInput({ child: { name: 'x'.repeat(201) } }), 'BAD_USER_INPUT', 'input.child.name'],
      [
        caseInput({ child: { name: 'A', dateOfBirth: '2031-01-01' } }),
        'BAD_USER_INPUT',
        'input.child.dateOfBirth',
      ],
      [
        caseInput({
          child: { name: 'A', identifiers: [{ system: 'nhs-number', value: '1234567890' }] },
        }),
        'BAD_USER_INPUT',
        'input.child.identifiers.0.value',
      ],
      [
        caseInput({ involvedAgencyIds: ['not-a-uuid'] }),
        'BAD_USER_INPUT',
        'input.involvedAgencyIds',
      ],
      [
        caseInput({ involvedAgencyIds: ['00000000-0000-4000-8000-000000000000'] }),
        'NOT_FOUND',
        'input.involvedAgencyIds',
      ],
      [
        caseInput({ leadAgencyId: '00000000-0000-4000-8000-000000000001' }),
        'NOT_FOUND',
        'input.leadAgencyId',
      ],
    ];
    for (const [input, code, field] of cases) {
      const response = await t.gql(police, CREATE_CASE, { input });
      expect(codes(response), JSON.stringify(input)).toEqual([code]);
      expect(response.errors?.[0].extensions?.field).toBe(field);
      expect(response.errors?.[0].message).toContain(field);
    }
    const wrongDate = await t.gql(police, CREATE_CASE, {
      input: caseInput({ child: { name: 'A', dateOfBirth: '14/05/2017' } }),
    });
    expect(codes(wrongDate)).toEqual(['BAD_USER_INPUT']);
    expect(wrongDate.errors?.[0].message).toMatch(/LocalDate|dateOfBirth/);
    const after = (await t.gql(police, CASES, { b: t.demo.boardId })).data?.cases.totalCount;
    expect(after).toBe(before);
  });

  it('gives 20 concurrent createCase calls 20 distinct references with no gap', async () => {
    const token = await t.tokenOf('police');
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        t.gql(token, CREATE_CASE, { input: caseInput({ child: { name: `Concurrent ${i}` } }) }),
      ),
    );
    expect(responses.flatMap((r) => r.errors ?? [])).toEqual([]);
    const numbers = responses
      .map((r) => Number((r.data?.createCase.reference as string).split('-')[2]))
      .sort((a, b) => a - b);
    expect(new Set(numbers).size).toBe(20);
    expect(numbers.at(-1)! - numbers[0]).toBe(19);
    // And nothing before them was skipped: the demo's cases and the earlier tests' cases fill 1..n.
    const all = await t.gql(await t.tokenOf('boardManager'), CASES, {
      b: t.demo.boardId,
      first: 100,
    });
    const every = all.data?.cases.edges.map((e: { node: { reference: string } }) =>
      Number(e.node.reference.split('-')[2]),
    );
    expect([...every].sort((a: number, b: number) => a - b)).toEqual(
      Array.from({ length: every.length }, (_, i) => i + 1),
    );
  });

  it('pages with cursors, newest first, without repeats or gaps', async () => {
    const manager = await t.tokenOf('boardManager');
    const seen: string[] = [];
    let after: string | null = null;
    let total = 0;
    for (;;) {
      const page: any = await t.gql(manager, CASES, { b: t.demo.boardId, first: 7, after });
      total = page.data.cases.totalCount;
      seen.push(...page.data.cases.edges.map((e: { node: { id: string } }) => e.node.id));
      if (!page.data.cases.pageInfo.hasNextPage) break;
      after = page.data.cases.pageInfo.endCursor;
    }
    expect(seen.length).toBe(total);
    expect(new Set(seen).size).toBe(total);
    const bad = await t.gql(manager, CASES, { b: t.demo.boardId, after: 'garbage' });
    expect(codes(bad)).toEqual(['BAD_USER_INPUT']);
    expect(bad.errors?.[0].extensions?.field).toBe('after');
    const tooMany = await t.gql(manager, CASES, { b: t.demo.boardId, first: 1000 });
    expect(tooMany.errors?.[0].extensions?.field).toBe('first');
  });

  it('issues the same number of SQL statements for cases(first: 50) as for cases(first: 5)', async () => {
    const manager = await t.tokenOf('boardManager');
    const police = await t.tokenOf('police');
    // Enough cases for a full page of 50, each with several involved agencies.
    const missing =
      50 -
      ((await t.gql(manager, CASES, { b: t.demo.boardId, first: 1 })).data?.cases.totalCount ?? 0);
    for (let i = 0; i < missing; i += 1) {
      await t.gql(police, CREATE_CASE, {
        input: caseInput({
          child: { name: `Bulk ${i}` },
          leadAgencyId: t.demo.agencies.socialCare,
          involvedAgencyIds: [t.demo.agencies.socialCare, t.demo.agencies.health],
        }),
      });
    }
    const count = async (first: number) => {
      const correlationId = `sql-count-${first}-${Math.random()}`;
      const response = await t.gql(manager, CASES, { b: t.demo.boardId, first }, { correlationId });
      expect(response.data?.cases.edges).toHaveLength(first);
      return t.db('cases').queries.forRequest(correlationId);
    };
    const five = await count(5);
    const fifty = await count(50);
    expect(fifty.length).toBe(five.length);
    // Sanity: the count is real (the page, its total, the loaders and the audit entry).
    expect(five.length).toBeGreaterThanOrEqual(5);
    expect(five.length).toBeLessThan(20);
  });

  it('audits every read of case data', async () => {
    const police = await t.tokenOf('police');
    await t.gql(police, CASE, { id: t.demo.cases[0] });
    const rows = await t
      .db('cases')
      .orm.em.fork()
      .getConnection()
      .execute(
        `select action, entity_ids, actor_id from audit_entry where action = 'case.read' order by seq desc limit 1`,
      );
    expect(rows[0].actor_id).toBe(t.demo.people.police.id);
    const ids =
      typeof rows[0].entity_ids === 'string' ? JSON.parse(rows[0].entity_ids) : rows[0].entity_ids;
    expect(ids).toEqual([t.demo.cases[0]]);
  });
});
