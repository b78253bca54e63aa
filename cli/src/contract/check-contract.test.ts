import { buildSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { checkContract, contractOk, formatContractReport } from './check-contract.js';

const contract = buildSchema(/* GraphQL */ `
  scalar DateTime

  enum Role {
    PRACTITIONER
    ADMIN
  }

  type Board {
    id: ID!
    name: String!
    escalationPolicy: EscalationPolicy!
  }

  type EscalationPolicy {
    version: Int!
    stages(first: Int = 10): [String!]!
  }

  type Practitioner {
    id: ID!
    name: String!
    roles: [Role!]!
  }

  type Escalation {
    id: ID!
    summary: String!
  }

  input CreateBoardInput {
    name: String!
    disclosureThreshold: Int
  }

  type Query {
    board(id: ID!): Board
    practitioners(agencyId: ID!, active: Boolean): [Practitioner!]!
    escalation(id: ID!): Escalation
  }

  type Mutation {
    createBoard(input: CreateBoardInput!): Board!
  }
`);

/** The contract exactly, so each test can take one thing away or change it. */
const complete = /* GraphQL */ `
  scalar DateTime

  enum Role {
    PRACTITIONER
    ADMIN
  }

  type Board {
    id: ID!
    name: String!
    escalationPolicy: EscalationPolicy!
  }

  type EscalationPolicy {
    version: Int!
    stages(first: Int = 10): [String!]!
  }

  type Practitioner {
    id: ID!
    name: String!
    roles: [Role!]!
  }

  type Escalation {
    id: ID!
    summary: String!
  }

  input CreateBoardInput {
    name: String!
    disclosureThreshold: Int
  }

  type Query {
    board(id: ID!): Board
    practitioners(agencyId: ID!, active: Boolean): [Practitioner!]!
    escalation(id: ID!): Escalation
  }

  type Mutation {
    createBoard(input: CreateBoardInput!): Board!
  }
`;

/** The API schema built from `complete` with one textual edit, which must apply exactly once. */
function apiWith(from: string | RegExp, to: string) {
  const sdl = complete.replace(from, to);
  if (sdl === complete) throw new Error(`edit ${String(from)} did not apply`);
  return buildSchema(sdl);
}

describe('checkContract', () => {
  it('reports a missing type by its name', () => {
    // The query that returns the type goes too, or the API schema would not build.
    const api = buildSchema(
      complete
        .replace(/type Escalation \{[^}]*\}/, '')
        .replace('escalation(id: ID!): Escalation', ''),
    );
    const result = checkContract(api, contract);
    expect(result.missing).toEqual(['Escalation', 'Query.escalation']);
    expect(contractOk(result)).toBe(false);
  });

  it('reports a missing field as Type.field', () => {
    const result = checkContract(apiWith('    roles: [Role!]!\n', ''), contract);
    expect(result.missing).toEqual(['Practitioner.roles']);
    expect(result.mismatched).toEqual([]);
    expect(contractOk(result)).toBe(false);
  });

  it('reports a field whose type differs only in nullability', () => {
    const result = checkContract(
      apiWith(
        'id: ID!\n    name: String!\n    escalationPolicy',
        'id: ID!\n    name: String\n    escalationPolicy',
      ),
      contract,
    );
    expect(result.missing).toEqual([]);
    expect(result.mismatched).toEqual(['Board.name: contract String!, API String']);
    expect(contractOk(result)).toBe(false);
  });

  it('reports a list field whose item type differs', () => {
    const result = checkContract(apiWith('roles: [Role!]!', 'roles: [Role]!'), contract);
    expect(result.mismatched).toEqual(['Practitioner.roles: contract [Role!]!, API [Role]!']);
  });

  it('reports a missing argument as Type.field(arg:)', () => {
    const result = checkContract(
      apiWith('practitioners(agencyId: ID!, active: Boolean)', 'practitioners(agencyId: ID!)'),
      contract,
    );
    expect(result.missing).toEqual(['Query.practitioners(active:)']);
    expect(contractOk(result)).toBe(false);
  });

  it('reports an argument of a different type', () => {
    const result = checkContract(apiWith('board(id: ID!)', 'board(id: String!)'), contract);
    expect(result.mismatched).toEqual(['Query.board(id:): contract ID!, API String!']);
  });

  it('reports an argument default the contract has and the API lacks, not a different one', () => {
    const lacking = checkContract(
      apiWith('stages(first: Int = 10)', 'stages(first: Int)'),
      contract,
    );
    expect(lacking.mismatched).toEqual([
      'EscalationPolicy.stages(first:): contract default 10, API has no default',
    ]);
    const different = checkContract(
      apiWith('stages(first: Int = 10)', 'stages(first: Int = 20)'),
      contract,
    );
    expect(contractOk(different)).toBe(true);
  });

  it('reports a missing input field as Input.field', () => {
    const result = checkContract(apiWith('    disclosureThreshold: Int\n', ''), contract);
    expect(result.missing).toEqual(['CreateBoardInput.disclosureThreshold']);
    expect(contractOk(result)).toBe(false);
  });

  it('reports an input field of a different type', () => {
    const result = checkContract(
      apiWith('disclosureThreshold: Int', 'disclosureThreshold: Int!'),
      contract,
    );
    expect(result.mismatched).toEqual([
      'CreateBoardInput.disclosureThreshold: contract Int, API Int!',
    ]);
  });

  it('reports a missing enum value as Enum.VALUE', () => {
    const result = checkContract(apiWith('    ADMIN\n', ''), contract);
    expect(result.missing).toEqual(['Role.ADMIN']);
    expect(contractOk(result)).toBe(false);
  });

  it('reports a type of a different kind', () => {
    const result = checkContract(apiWith('scalar DateTime', 'enum DateTime { NOW }'), contract);
    expect(result.mismatched).toEqual(['DateTime: contract scalar, API enum']);
  });

  it('passes an API schema that is a superset of the contract', () => {
    const superset = buildSchema(
      complete
        .replace('    ADMIN\n', '    ADMIN\n    ANALYST\n')
        .replace(
          'escalationPolicy: EscalationPolicy!',
          'escalationPolicy: EscalationPolicy!\n    region: String',
        )
        .replace('board(id: ID!)', 'board(id: ID!, includeInactive: Boolean = false)')
        .replace('disclosureThreshold: Int\n', 'disclosureThreshold: Int\n    notes: String\n')
        .replace(
          'scalar DateTime',
          'scalar DateTime\n  scalar LocalDate\n  type Audit { at: DateTime! }',
        )
        .replace(
          'escalation(id: ID!): Escalation',
          'escalation(id: ID!): Escalation\n    audit: [Audit!]!',
        ),
    );
    const result = checkContract(superset, contract);
    expect(result).toEqual({ missing: [], mismatched: [] });
    expect(contractOk(result)).toBe(true);
    expect(formatContractReport(result)).toMatch(/passed/);
    // The same pair the other way round: every addition is then something the API lacks.
    const reversed = checkContract(contract, superset);
    expect(reversed.missing).toEqual([
      'Audit',
      'Board.region',
      'CreateBoardInput.notes',
      'LocalDate',
      'Query.audit',
      'Query.board(includeInactive:)',
      'Role.ANALYST',
    ]);
  });

  it('reports an argument or input field the API requires and the contract does not have', () => {
    const result = checkContract(
      buildSchema(
        complete
          .replace('board(id: ID!)', 'board(id: ID!, region: String!)')
          .replace('disclosureThreshold: Int\n', 'disclosureThreshold: Int\n    region: String!\n'),
      ),
      contract,
    );
    expect(result.mismatched).toEqual([
      'CreateBoardInput.region: required by the API, not in the contract',
      'Query.board(region:): required by the API, not in the contract',
    ]);
  });
});

describe('formatContractReport', () => {
  it('lists each problem on its own line under a heading with its count', () => {
    const report = formatContractReport({
      missing: ['Role.ADMIN', 'Query.practitioners(active:)'],
      mismatched: ['Board.name: contract String!, API String'],
    });
    expect(report.split('\n')).toEqual([
      'Contract check FAILED.',
      '',
      'Missing from the API schema (2):',
      '  Role.ADMIN',
      '  Query.practitioners(active:)',
      '',
      'Different from the contract (1):',
      '  Board.name: contract String!, API String',
    ]);
  });
});
