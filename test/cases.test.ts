import { pino } from 'pino';
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

const CREATE_CASE_CHILD = /* GraphQL */ `
  mutation ($input: CreateCaseInput!) {
    createCase(input: $input) {
      id
      child {
        id
        name
        dateOfBirth
        identifiers {
          system
          value
        }
      }
    }
  }
`;

/** A valid NHS number (modulus-11 check digit), the first from the 9 digits of `seed` on. */
function nhsNumber(seed: number): string {
  for (let n = seed; ; n += 1) {
    const digits = String(n).padStart(9, '0');
    const sum = [...digits].reduce((total, d, i) => total + Number(d) * (10 - i), 0);
    const check = (11 - (sum % 11)) % 11;
    if (check !== 10) return `${digits}${check}`;
  }
}

describe.each(databaseKinds)('cases through the gateway (%s)', (kind) => {
  let t: TestHub;
  /** The hub's WARN and ERROR log lines. */
  const logLines: Record<string, any>[] = [];
  beforeAll(async () => {
    const log = pino(
      { level: 'warn' },
      { write: (line: string) => void logLines.push(JSON.parse(line)) },
    );
    t = await startTestHub(kind, { log });
  });
  afterAll(() => t?.close());

  /** Rows of a raw query on the cases subgraph's database. */
  const sql = (query: string, params: unknown[] = []): Promise<Record<string, any>[]> =>
    t.db('cases').orm.em.fork().getConnection().execute(query, params);
  /** How many rows a createCase writes to, table by table. */
  const written = async () => {
    const tables = [
      'child_subject',
      'child_identifier',
      'case_file',
      'case_agency',
      'outbox_event',
    ];
    const counts: Record<string, number> = {};
    for (const table of tables)
      counts[table] = Number((await sql(`select count(*) as n from ${table}`))[0].n);
    return counts;
  };
  /** The refusals audited for a practitioner, each entry's entity ids. */
  const refusalsOf = async (practitionerId: string): Promise<string[][]> =>
    (
      await sql(
        `select entity_ids from audit_entry where action = 'case.create.child-refused' and actor_id = ? order by seq`,
        [practitionerId],
      )
    ).map((row) =>
      typeof row.entity_ids === 'string' ? JSON.parse(row.entity_ids) : row.entity_ids,
    );

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

  it('links a new case to the child known by the same NHS number when the name and date of birth agree, keeping the record as written', async () => {
    const housing = await t.tokenOf('housing');
    const ellie = (await t.gql(await t.tokenOf('police'), CASE, { id: t.demo.cases[0] })).data?.case
      .child.id;
    // The name agrees without regard to case, accents, punctuation or spacing.
    for (const name of ['ELLIE MARSH', ' Éllie  Marsh. ', 'ellie-marsh']) {
      const response = await t.gql(housing, CREATE_CASE_CHILD, {
        input: caseInput({
          child: {
            name,
            dateOfBirth: '2017-05-14',
            identifiers: [{ system: 'nhs-number', value: '943 476 5919' }],
          },
          involvedAgencyIds: [t.demo.agencies.housing],
        }),
      });
      expect(response.errors, name).toBeUndefined();
      expect(response.data?.createCase.child).toMatchObject({
        id: ellie,
        name: 'Ellie Marsh',
        dateOfBirth: '2017-05-14',
      });
    }
  });

  it('refuses with CONFLICT a new case whose identifier is recorded for a different child, revealing nothing and writing nothing', async () => {
    const health = await t.tokenOf('health');
    const school = await t.tokenOf('school');
    const secret = await t.gql(health, CREATE_CASE_CHILD, {
      input: caseInput({
        child: {
          name: 'Secret Name',
          dateOfBirth: '2019-03-02',
          identifiers: [
            { system: 'nhs-number', value: '9449306753' },
            { system: 'police-person-id', value: 'PX-778812' },
          ],
        },
        involvedAgencyIds: [],
      }),
    });
    expect(secret.errors).toBeUndefined();
    const secretCase = secret.data?.createCase.id as string;
    const secretChild = secret.data?.createCase.child.id as string;
    const before = await written();
    const attempts = [
      { name: 'Guess', dateOfBirth: '2019-03-02' }, // the name differs
      { name: 'Secret Name', dateOfBirth: '2019-03-03' }, // the date of birth differs
      { name: 'Secret Name' }, // a date of birth is recorded and not given
      { name: 'Guess' },
    ];
    for (const child of attempts) {
      const response = await t.gql(school, CREATE_CASE_CHILD, {
        input: caseInput({
          child: {
            ...child,
            identifiers: [
              { system: 'upn', value: 'S-GUESS-1' },
              { system: 'nhs-number', value: '944 930 6753' },
            ],
          },
          involvedAgencyIds: [],
        }),
      });
      expect(codes(response), JSON.stringify(child)).toEqual(['CONFLICT']);
      expect(response.errors?.[0].extensions?.field).toBe('input.child.identifiers.1.value');
      expect(response.errors?.[0].message).toBe(
        'input.child.identifiers.1.value: this nhs-number is recorded for a different child on this board: check the number',
      );
      expect(response.data?.createCase ?? null).toBeNull();
      const body = JSON.stringify(response);
      for (const recorded of ['Secret', '2019-03-02', 'PX-778812', secretCase, secretChild])
        expect(body).not.toContain(recorded);
    }
    expect(await written()).toEqual(before);

    // Nor does a search or a read by the refused practitioner reveal the child afterwards.
    const search = await t.gql(school, CASES, { b: t.demo.boardId, search: 'secret' });
    expect(search.data?.cases.totalCount).toBe(0);
    expect(codes(await t.gql(school, CASE, { id: secretCase }))).toEqual(['NOT_FOUND']);

    // Each refusal is audited with the identifier system, never its value.
    const audited = await refusalsOf(t.demo.people.school.id);
    expect(audited).toEqual(attempts.map(() => [secretChild, 'system:nhs-number']));
    expect(JSON.stringify(audited)).not.toMatch(/9449306753|944 930 6753|S-GUESS-1/);
  });

  it('links on the name alone only when no date of birth is recorded, and keeps the record as written', async () => {
    const police = await t.tokenOf('police');
    const housing = await t.tokenOf('housing');
    const recorded = await t.gql(police, CREATE_CASE_CHILD, {
      input: caseInput({
        child: { name: 'Robin Undated', identifiers: [{ system: 'upn', value: 'U-UNDATED-1' }] },
      }),
    });
    expect(recorded.errors).toBeUndefined();
    const linked = await t.gql(housing, CREATE_CASE_CHILD, {
      input: caseInput({
        child: {
          name: 'robin undated',
          dateOfBirth: '2016-01-01',
          identifiers: [{ system: 'upn', value: ' U-UNDATED-1 ' }],
        },
        involvedAgencyIds: [],
      }),
    });
    expect(linked.errors).toBeUndefined();
    expect(linked.data?.createCase.child).toMatchObject({
      id: recorded.data?.createCase.child.id,
      name: 'Robin Undated',
      dateOfBirth: null,
    });
    const other = await t.gql(housing, CREATE_CASE_CHILD, {
      input: caseInput({
        child: { name: 'Robin Other', identifiers: [{ system: 'upn', value: 'U-UNDATED-1' }] },
        involvedAgencyIds: [],
      }),
    });
    expect(codes(other)).toEqual(['CONFLICT']);
    expect(other.errors?.[0].message).toBe(
      'input.child.identifiers.0.value: this upn is recorded for a different child on this board: check the number',
    );
  });

  it('refuses identifiers of two different known children, revealing neither', async () => {
    const housing = await t.tokenOf('housing');
    const before = await written();
    const response = await t.gql(housing, CREATE_CASE_CHILD, {
      input: caseInput({
        child: {
          name: 'Ellie Marsh',
          dateOfBirth: '2017-05-14',
          identifiers: [
            { system: 'nhs-number', value: '9434765919' }, // Ellie Marsh
            { system: 'nhs-number', value: '4010232137' }, // Amara Osei
          ],
        },
        involvedAgencyIds: [],
      }),
    });
    expect(codes(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.errors?.[0].extensions?.field).toBe('input.child.identifiers');
    expect(response.errors?.[0].message).toBe(
      'input.child.identifiers: these identifiers belong to different children on this board',
    );
    expect(JSON.stringify(response)).not.toMatch(/Amara|Osei|2023-02-20/);
    expect(await written()).toEqual(before);
    expect((await refusalsOf(t.demo.people.housing.id)).at(-1)).toContain('system:nhs-number');
  });

  it('makes one child of simultaneous createCase calls for a new child with the same identifier', async () => {
    const police = await t.tokenOf('police');
    const health = await t.tokenOf('health');
    const identifierRows = async (value: string) =>
      (await sql('select child_id from child_identifier where value = ?', [value])).map(
        (row) => row.child_id,
      );
    const create = (token: string, name: string, value: string) =>
      t.gql(token, CREATE_CASE_CHILD, {
        input: caseInput({
          child: {
            name,
            dateOfBirth: '2020-06-01',
            identifiers: [{ system: 'nhs-number', value }],
          },
          involvedAgencyIds: [],
        }),
      });
    for (let round = 0; round < 5; round += 1) {
      // The same child: both cases link to the one record, whichever wins.
      const same = nhsNumber(700_000_000 + round * 10);
      const both = await Promise.all([
        create(police, 'Race Child', same),
        create(health, 'race child', same),
      ]);
      expect(both.flatMap((r) => r.errors ?? [])).toEqual([]);
      const [first, second] = both.map((r) => r.data?.createCase.child.id);
      expect(second).toBe(first);
      expect(await identifierRows(same)).toEqual([first]);

      // Two different children: one is recorded, the other refused as for any known child.
      const clash = nhsNumber(710_000_000 + round * 10);
      const either = await Promise.all([
        create(police, 'Race Child A', clash),
        create(health, 'Race Child B', clash),
      ]);
      expect(either.map(codes).sort()).toEqual([[], ['CONFLICT']]);
      const refused = either.find((r) => r.errors)!;
      expect(refused.errors?.[0].extensions?.field).toBe('input.child.identifiers.0.value');
      const winner = either.find((r) => !r.errors)!;
      expect(await identifierRows(clash)).toEqual([winner.data?.createCase.child.id]);
    }
  });

  it('logs one WARN line when a practitioner reaches 5 refusals in 24 hours', async () => {
    const earlyHelp = await t.tokenOf('earlyHelp');
    const warnings = () =>
      logLines.filter(
        (line) =>
          line.level === 40 && line.practitionerId === t.demo.people.earlyHelp.id && line.refusals,
      );
    const refuse = async () => {
      const response = await t.gql(earlyHelp, CREATE_CASE, {
        input: caseInput({
          child: {
            name: 'Nobody',
            identifiers: [{ system: 'nhs-number', value: '9434765919' }],
          },
          involvedAgencyIds: [],
        }),
      });
      expect(codes(response)).toEqual(['CONFLICT']);
    };
    for (let i = 0; i < 4; i += 1) await refuse();
    expect(warnings()).toEqual([]);
    await refuse();
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]).toMatchObject({ refusals: 5, systems: ['nhs-number'] });
    expect(JSON.stringify(warnings())).not.toContain('9434765919');
    await refuse();
    expect(warnings()).toHaveLength(1);
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
    // One over the page limit (a much larger page is refused earlier, by the gateway's cost limit).
    const tooMany = await t.gql(manager, CASES, { b: t.demo.boardId, first: 101 });
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
