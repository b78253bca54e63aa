import { graphqlRequest } from '../graphql-client.js';

/** Everything the demo data needs from the hub: its URL and a way to mint tokens. */
export interface SeedTarget {
  url: string;
  adminToken: string;
  tokenFor(practitionerId: string): Promise<string>;
  /**
   * Sets the hub's clock (its subgraphs' `clock`) to `at`, or back to the real time with `null`,
   * so that the demo's older escalations happened in the past: seedDemoEscalations needs it. Only
   * a hub running in this process has a clock to set.
   */
  setClock?(at: Date | null): void;
}

export type AgencyKey =
  'police' | 'health' | 'school' | 'socialCare' | 'earlyHelp' | 'housing' | 'businessUnit';

const AGENCIES: { key: AgencyKey; name: string; kind: string }[] = [
  { key: 'police', name: 'Northbridge Police', kind: 'POLICE' },
  { key: 'health', name: 'Northbridge NHS Foundation Trust', kind: 'HEALTH' },
  { key: 'school', name: "St Aldhelm's Primary School", kind: 'EDUCATION' },
  { key: 'socialCare', name: "Northbridge Children's Social Care", kind: 'CHILDRENS_SOCIAL_CARE' },
  { key: 'earlyHelp', name: 'Northbridge Early Help Service', kind: 'EARLY_HELP' },
  { key: 'housing', name: 'Northbridge Homes', kind: 'HOUSING' },
  {
    key: 'businessUnit',
    name: 'Northbridge Safeguarding Partnership Business Unit',
    kind: 'OTHER',
  },
];

/** Fictional people; `manager` names an earlier entry's key. Every role appears at least once. */
const PEOPLE: {
  key: string;
  agency: AgencyKey;
  name: string;
  roles: string[];
  manager?: string;
  /** Someone who has left: in the directory, deactivated, their tokens refused. */
  deactivated?: true;
}[] = [
  {
    key: 'policeSenior',
    agency: 'police',
    name: 'DI Mark Ellis',
    roles: ['SENIOR_MANAGER', 'PANEL_MEMBER'],
  },
  {
    key: 'policeManager',
    agency: 'police',
    name: 'DS Priya Shah',
    roles: ['LINE_MANAGER'],
    manager: 'policeSenior',
  },
  {
    key: 'police',
    agency: 'police',
    name: 'PC Sam Okafor',
    roles: ['PRACTITIONER'],
    manager: 'policeManager',
  },
  {
    key: 'policeReferrals',
    agency: 'police',
    name: 'Force referral export (integration)',
    roles: ['INTEGRATION'],
  },
  { key: 'healthSenior', agency: 'health', name: 'Dr Ruth Adeyemi', roles: ['SENIOR_MANAGER'] },
  {
    key: 'healthLead',
    agency: 'health',
    name: 'Helen Carter (named nurse)',
    roles: ['SAFEGUARDING_LEAD', 'LINE_MANAGER', 'PANEL_MEMBER'],
    manager: 'healthSenior',
  },
  {
    key: 'health',
    agency: 'health',
    name: 'Aisha Khan (health visitor)',
    roles: ['PRACTITIONER'],
    manager: 'healthLead',
  },
  {
    key: 'healthIntegration',
    agency: 'health',
    name: 'Trust integration engine',
    roles: ['INTEGRATION'],
  },
  {
    key: 'schoolHead',
    agency: 'school',
    name: 'Mrs Joan Whitfield (headteacher)',
    roles: ['SENIOR_MANAGER'],
  },
  {
    key: 'schoolDsl',
    agency: 'school',
    name: 'Grace Mensah (designated safeguarding lead)',
    roles: ['SAFEGUARDING_LEAD', 'PANEL_MEMBER'],
    manager: 'schoolHead',
  },
  {
    key: 'school',
    agency: 'school',
    name: 'Tom Reid (class teacher)',
    roles: ['PRACTITIONER'],
    manager: 'schoolDsl',
  },
  {
    key: 'schoolMis',
    agency: 'school',
    name: 'School MIS integration',
    roles: ['INTEGRATION'],
  },
  {
    key: 'cscSenior',
    agency: 'socialCare',
    name: 'Olivia Grant (service manager)',
    roles: ['SENIOR_MANAGER', 'PANEL_MEMBER'],
  },
  {
    key: 'cscManager',
    agency: 'socialCare',
    name: 'Daniel Brooks (team manager)',
    roles: ['LINE_MANAGER'],
    manager: 'cscSenior',
  },
  {
    key: 'csc',
    agency: 'socialCare',
    name: 'Jo Patel (social worker)',
    roles: ['PRACTITIONER'],
    manager: 'cscManager',
  },
  {
    key: 'cscLeaver',
    agency: 'socialCare',
    name: 'Mike Turner (social worker, left in March)',
    roles: ['PRACTITIONER'],
    manager: 'cscManager',
    deactivated: true,
  },
  {
    key: 'earlyHelp',
    agency: 'earlyHelp',
    name: 'Chris Doyle (family support worker)',
    roles: ['PRACTITIONER'],
  },
  {
    key: 'housing',
    agency: 'housing',
    name: 'Nadia Rahman (tenancy officer)',
    roles: ['PRACTITIONER'],
  },
  {
    key: 'boardManager',
    agency: 'businessUnit',
    name: 'Fiona MacLeod (partnership manager)',
    roles: ['BOARD_MANAGER'],
  },
  {
    key: 'analyst',
    agency: 'businessUnit',
    name: 'Ben Hughes (performance analyst)',
    roles: ['ANALYST'],
  },
  {
    key: 'admin',
    agency: 'businessUnit',
    name: 'Lena Novak (systems administrator)',
    roles: ['ADMIN'],
  },
];

/** Fictional children and the agencies around them; `by` is who opens the case. */
const CASES: {
  by: string;
  child: Record<string, unknown>;
  planType: string;
  lead: AgencyKey;
  involved: AgencyKey[];
}[] = [
  {
    by: 'csc',
    child: {
      name: 'Ellie Marsh',
      dateOfBirth: '2017-05-14',
      identifiers: [{ system: 'nhs-number', value: '9434765919' }],
    },
    planType: 'CHILD_PROTECTION',
    lead: 'socialCare',
    involved: ['police', 'health', 'school'],
  },
  {
    by: 'school',
    child: {
      name: 'Jayden Cole',
      dateOfBirth: '2015-11-02',
      identifiers: [{ system: 'upn', value: 'A123456789012' }],
    },
    planType: 'CHILD_IN_NEED',
    lead: 'socialCare',
    involved: ['socialCare', 'earlyHelp'],
  },
  {
    by: 'health',
    child: {
      name: 'Amara Osei',
      dateOfBirth: '2023-02-20',
      identifiers: [{ system: 'nhs-number', value: '4010232137' }],
    },
    planType: 'EARLY_HELP',
    lead: 'earlyHelp',
    involved: ['earlyHelp', 'housing'],
  },
  {
    by: 'police',
    child: { name: 'Leo Fraser', dateOfBirth: '2012-08-30' },
    planType: 'CHILD_PROTECTION',
    lead: 'socialCare',
    involved: ['socialCare', 'school'],
  },
];

export interface SeededPractitioner {
  id: string;
  name: string;
  roles: string[];
  agency: string;
  active: boolean;
}

/** What the demo created, by the keys used above (tests use it as their fixture too). */
export interface DemoData {
  boardId: string;
  agencies: Record<AgencyKey, string>;
  people: Record<string, SeededPractitioner>;
  /** Case ids in the order of CASES. */
  cases: string[];
}

/**
 * Creates the demo board (a fictional partnership), its agencies, practitioners of every role
 * (and one who has left, deactivated) and a few cases, through the public API as real users
 * would. Returns the practitioners.
 */
export async function seedDemo(target: SeedTarget): Promise<DemoData> {
  const admin = <T>(query: string, variables: Record<string, unknown>) =>
    graphqlRequest<T>(target.url, target.adminToken, query, variables);

  const { createBoard } = await admin<{ createBoard: { id: string } }>(
    /* GraphQL */ `
      mutation ($input: CreateBoardInput!) {
        createBoard(input: $input) {
          id
        }
      }
    `,
    { input: { name: 'Northbridge Safeguarding Children Partnership', region: 'GB-ENG' } },
  );
  const agencyIds = {} as Record<AgencyKey, string>;
  for (const agency of AGENCIES) {
    const { createAgency } = await admin<{ createAgency: { id: string } }>(
      /* GraphQL */ `
        mutation ($input: CreateAgencyInput!) {
          createAgency(input: $input) {
            id
          }
        }
      `,
      { input: { boardId: createBoard.id, name: agency.name, kind: agency.kind } },
    );
    agencyIds[agency.key] = createAgency.id;
  }
  const people: Record<string, SeededPractitioner> = {};
  for (const person of PEOPLE) {
    const email = `${person.key.replace(/[A-Z]/g, (c) => `.${c.toLowerCase()}`)}@northbridge.example`;
    const { createPractitioner } = await admin<{ createPractitioner: { id: string } }>(
      /* GraphQL */ `
        mutation ($input: CreatePractitionerInput!) {
          createPractitioner(input: $input) {
            id
          }
        }
      `,
      {
        input: {
          agencyId: agencyIds[person.agency],
          name: person.name,
          email,
          roles: person.roles,
          lineManagerId: person.manager ? people[person.manager].id : null,
        },
      },
    );
    if (person.deactivated) {
      await admin(
        /* GraphQL */ `
          mutation ($id: ID!) {
            setPractitionerActive(id: $id, active: false) {
              id
            }
          }
        `,
        { id: createPractitioner.id },
      );
    }
    const agency = AGENCIES.find((a) => a.key === person.agency)!;
    people[person.key] = {
      id: createPractitioner.id,
      name: person.name,
      roles: person.roles,
      agency: agency.name,
      active: !person.deactivated,
    };
  }
  const cases: string[] = [];
  for (const demoCase of CASES) {
    const token = await target.tokenFor(people[demoCase.by].id);
    const { createCase } = await graphqlRequest<{ createCase: { id: string } }>(
      target.url,
      token,
      /* GraphQL */ `
        mutation ($input: CreateCaseInput!) {
          createCase(input: $input) {
            id
          }
        }
      `,
      {
        input: {
          boardId: createBoard.id,
          child: demoCase.child,
          planType: demoCase.planType,
          leadAgencyId: agencyIds[demoCase.lead],
          involvedAgencyIds: demoCase.involved.map((key) => agencyIds[key]),
        },
      },
    );
    cases.push(createCase.id);
  }
  return { boardId: createBoard.id, agencies: agencyIds, people, cases };
}

/** True when the hub has no boards yet (first start). */
export async function isEmpty(target: SeedTarget): Promise<boolean> {
  const { boards } = await graphqlRequest<{ boards: unknown[] }>(
    target.url,
    target.adminToken,
    '{ boards { id } }',
  );
  return boards.length === 0;
}
