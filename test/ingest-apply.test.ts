import { randomUUID } from 'node:crypto';
import {
  ACTOR_HEADER,
  AuditEntry,
  baseUrlOf,
  IngestLedgerEntry,
  InternalClient,
  OutboxEvent,
  secretKey,
  signActor,
  type IngestOutcome,
} from '@hub/kit';
import type { CanonicalRecordInput } from '@hub/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from './support/databases.js';
import { startTestHub, type GraphQLResponse, type TestHub } from './support/hub.js';

/** A valid NHS number (modulus 11) starting with the 9 digits given, or the next that has one. */
function nhsNumber(start: number): string {
  for (let n = start; ; n += 1) {
    const digits = String(n).padStart(9, '0');
    const sum = [...digits].reduce((total, d, i) => total + Number(d) * (10 - i), 0);
    const check = (11 - (sum % 11)) % 11;
    if (check !== 10) return `${digits}${check}`;
  }
}

const FHIR_NHS = 'https://fhir.nhs.uk/Id/nhs-number';
const UPN_SYSTEM = 'https://www.gov.uk/government/publications/unique-pupil-numbers';
const ELLIE_NHS = '9434765919'; // the demo's Ellie Marsh, born 2017-05-14
const MIA_NHS = nhsNumber(401023300);
const MIA = { name: 'Mia Turner', dateOfBirth: '2019-03-02' };

type Subgraph = 'cases' | 'escalations';
type Outcomes = { outcomes: IngestOutcome[] };

describe.each(databaseKinds)('applying canonical records in the subgraphs (%s)', (kind) => {
  let t: TestHub;
  /** Integration accounts and others the tests name, by key. */
  const ids: Record<string, string> = {};
  const agencies: Record<string, string> = {};

  const admin = async (query: string, variables: Record<string, unknown>) => {
    const response = await t.gql(t.adminToken, query, variables);
    expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
    return response.data!;
  };
  const createAgency = async (boardId: string, name: string, agencyKind: string) =>
    (
      await admin(`mutation ($input: CreateAgencyInput!) { createAgency(input: $input) { id } }`, {
        input: { boardId, name, kind: agencyKind },
      })
    ).createAgency.id as string;
  const createPractitioner = async (agencyId: string, email: string, roles: string[]) =>
    (
      await admin(
        `mutation ($input: CreatePractitionerInput!) { createPractitioner(input: $input) { id } }`,
        { input: { agencyId, name: email.split('@')[0], email, roles } },
      )
    ).createPractitioner.id as string;
  const deactivate = (id: string) =>
    admin(`mutation ($id: ID!) { setPractitionerActive(id: $id, active: false) { id } }`, { id });

  const baseUrl = (subgraph: Subgraph) => baseUrlOf(t.hub.subgraphs[subgraph].url);
  const body = (integration: string, plugin: string, records: CanonicalRecordInput[]) => ({
    integration: { practitionerId: ids[integration] },
    records: records.map((record, index) => ({ index, plugin, record })),
  });
  /** Applies records as the gateway does: an InternalClient signed as the `gateway` service. */
  const apply = async (
    subgraph: Subgraph,
    integration: string,
    plugin: string,
    records: CanonicalRecordInput[],
    correlationId: string = randomUUID(),
  ): Promise<IngestOutcome[]> => {
    const client = new InternalClient(baseUrl(subgraph), secretKey(t.internalSecret), 'gateway');
    const answer = await client.post<Outcomes>(
      '/ingest/apply',
      body(integration, plugin, records),
      {
        correlationId,
        ip: null,
      },
    );
    return answer.outcomes;
  };
  /** The same call, answering the status and body whatever they are. */
  const post = async (subgraph: Subgraph, payload: unknown) => {
    const header = await signActor(
      secretKey(t.internalSecret),
      {
        kind: 'service',
        id: 'gateway',
        roles: [],
        agencyId: null,
        agencyKind: null,
        boardId: null,
      },
      { correlationId: randomUUID(), ip: null },
    );
    const response = await fetch(`${baseUrl(subgraph)}/internal/ingest/apply`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [ACTOR_HEADER]: header },
      body: JSON.stringify(payload),
    });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };

  const em = (subgraph: Subgraph) => t.db(subgraph).orm.em.fork();
  const sql = async (
    subgraph: Subgraph,
    query: string,
    params: unknown[] = [],
  ): Promise<Record<string, any>[]> => em(subgraph).getConnection().execute(query, params);
  const count = async (subgraph: Subgraph, query: string, params: unknown[] = []) =>
    Number((await sql(subgraph, query, params))[0].n);
  const ledger = (subgraph: Subgraph, sourceId: string) =>
    em(subgraph).find(IngestLedgerEntry, { sourceId }, { orderBy: { firstAppliedAt: 'asc' } });
  const entityOf = async (subgraph: Subgraph, integration: string, sourceId: string) => {
    const agencyId = agencies[integration];
    const [entry] = (await ledger(subgraph, sourceId)).filter((e) => e.agencyId === agencyId);
    expect(entry, `no ledger entry for ${sourceId}`).toBeDefined();
    return entry.entityId;
  };
  const ok = (response: GraphQLResponse, field: string) => {
    expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
    return response.data![field];
  };

  const child = (
    sourceId: string,
    sourceVersion: string,
    subject: Record<string, unknown>,
  ): CanonicalRecordInput =>
    ({ kind: 'child', sourceId, sourceVersion, child: subject }) as CanonicalRecordInput;

  beforeAll(async () => {
    t = await startTestHub(kind);
    const board = t.demo.boardId;
    Object.assign(agencies, t.demo.agencies);
    ids.health = t.demo.people.healthIntegration.id;
    ids.police = await createPractitioner(
      agencies.police,
      'police.integration@northbridge.example',
      ['INTEGRATION'],
    );
    ids.school = await createPractitioner(
      agencies.school,
      'school.integration@northbridge.example',
      ['INTEGRATION'],
    );
    ids.retired = await createPractitioner(agencies.health, 'old.integration@northbridge.example', [
      'INTEGRATION',
    ]);
    ids.retiredOfficer = await createPractitioner(
      agencies.police,
      'retired.officer@northbridge.example',
      ['PRACTITIONER'],
    );
    await deactivate(ids.retiredOfficer);
    // A second health agency makes "the board's HEALTH agency" ambiguous.
    agencies.communityHealth = await createAgency(board, 'Northbridge Community Health', 'HEALTH');

    // A second board, with its own health integration and an officer.
    const south = (
      await admin(`mutation ($input: CreateBoardInput!) { createBoard(input: $input) { id } }`, {
        input: { name: 'Southmoor Safeguarding Partnership', region: 'GB-ENG' },
      })
    ).createBoard.id as string;
    agencies.southHealth = await createAgency(south, 'Southmoor Health', 'HEALTH');
    agencies.southPolice = await createAgency(south, 'Southmoor Police', 'POLICE');
    ids.southHealth = await createPractitioner(
      agencies.southHealth,
      'integration@southmoor.example',
      ['INTEGRATION'],
    );
    await createPractitioner(agencies.southPolice, 'officer@southmoor.example', ['PRACTITIONER']);
  });
  afterAll(() => t?.close());

  describe('children', () => {
    it('creates a child, is unchanged on a rerun, and adds identifiers from a new version', async () => {
      const v1 = child('Patient/mia', '1', {
        ...MIA,
        identifiers: [{ system: FHIR_NHS, value: MIA_NHS }],
      });
      expect(await apply('cases', 'health', 'health', [v1])).toEqual([{ status: 'created' }]);
      expect(await apply('cases', 'health', 'health', [v1])).toEqual([{ status: 'unchanged' }]);
      const v2 = child('Patient/mia', '2', {
        ...MIA,
        identifiers: [
          { system: FHIR_NHS, value: MIA_NHS },
          { system: 'gp-patient-id', value: 'GP-0042' },
        ],
      });
      expect(await apply('cases', 'health', 'health', [v2])).toEqual([{ status: 'updated' }]);

      const childId = await entityOf('cases', 'health', 'Patient/mia');
      const identifiers = await sql(
        'cases',
        'select system, value from child_identifier where child_id = ? order by system',
        [childId],
      );
      // The FHIR NHS number system is kept as the hub's own `nhs-number`.
      expect(identifiers).toEqual([
        { system: 'gp-patient-id', value: 'GP-0042' },
        { system: 'nhs-number', value: MIA_NHS },
      ]);
      expect(
        await count('cases', `select count(*) as n from child_subject where name = ?`, [MIA.name]),
      ).toBe(1);
    });

    it('applies a record sent in many batches at once exactly once', async () => {
      // As two gateways (or a client's retries) may: each batch reads the ledger before any
      // has committed; on PostgreSQL the later ones then clash on the child's identifier, roll
      // back to the record's savepoint and look again.
      const record = child('Patient/twice', '1', {
        name: 'Noah Twice',
        dateOfBirth: '2016-08-09',
        identifiers: [{ system: FHIR_NHS, value: nhsNumber(401077700) }],
      });
      const outcomes = await Promise.all(
        Array.from({ length: 12 }, () => apply('cases', 'health', 'health', [record])),
      );
      const statuses = outcomes.map(([outcome]) => outcome!.status).sort();
      expect(statuses, JSON.stringify(outcomes)).toEqual([
        'created',
        ...Array(11).fill('unchanged'),
      ]);
      expect(await ledger('cases', 'Patient/twice')).toHaveLength(1);
      expect(
        await count('cases', 'select count(*) as n from child_subject where name = ?', [
          'Noah Twice',
        ]),
      ).toBe(1);
    });

    it('refuses to link when the name disagrees, writes nothing and audits the refusal', async () => {
      const children = await count('cases', 'select count(*) as n from child_subject');
      const outcomes = await apply('cases', 'health', 'health', [
        child('Patient/ellie', '1', {
          name: 'Ellie March',
          dateOfBirth: '2017-05-14',
          identifiers: [{ system: 'nhs-number', value: ELLIE_NHS }],
        }),
      ]);
      expect(outcomes).toEqual([
        {
          status: 'rejected',
          field: 'child.identifiers.0.value',
          message:
            'this nhs-number is recorded for a different child on this board: check the number',
        },
      ]);
      expect(await count('cases', 'select count(*) as n from child_subject')).toBe(children);
      expect(await ledger('cases', 'Patient/ellie')).toEqual([]);
      const refusals = await em('cases').find(AuditEntry, { action: 'ingest.child-refused' });
      expect(refusals.at(-1)).toMatchObject({ actorId: ids.health });
      expect(refusals.at(-1)!.entityIds).toEqual(
        expect.arrayContaining(['system:nhs-number', 'ingest:health']),
      );
    });

    it('refuses a possible match on name and date of birth for a person to confirm', async () => {
      const children = await count('cases', 'select count(*) as n from child_subject');
      const [outcome] = await apply('cases', 'health', 'health', [
        child('Patient/jayden', '1', {
          name: 'JAYDEN  cole', // the demo's Jayden Cole, known by his UPN only
          dateOfBirth: '2015-11-02',
          identifiers: [{ system: FHIR_NHS, value: nhsNumber(401023400) }],
        }),
      ]);
      expect(outcome).toMatchObject({ status: 'rejected', field: 'child' });
      expect((outcome as { message: string }).message).toContain(
        'a person must confirm whether it is the same child',
      );
      expect(await count('cases', 'select count(*) as n from child_subject')).toBe(children);
    });

    it('refuses a possible match when a date of birth is missing on either side', async () => {
      // A child recorded without a date of birth, then the same name with one: nothing tells
      // them apart.
      const undated = child('Patient/robin', '1', {
        name: 'Robin Undated',
        identifiers: [{ system: FHIR_NHS, value: nhsNumber(401023401) }],
      });
      expect(await apply('cases', 'health', 'health', [undated])).toEqual([{ status: 'created' }]);
      const children = await count('cases', 'select count(*) as n from child_subject');
      const dated = child('Patient/robin-2', '1', {
        name: 'ROBIN undated',
        dateOfBirth: '2016-04-01',
        identifiers: [{ system: FHIR_NHS, value: nhsNumber(401023402) }],
      });
      // And a child given without one, named as the demo's Jayden Cole (recorded with one).
      const jayden = child('Patient/jayden-undated', '1', {
        name: 'Jayden Cole',
        identifiers: [{ system: FHIR_NHS, value: nhsNumber(401023403) }],
      });
      const outcomes = await apply('cases', 'health', 'health', [dated, jayden]);
      for (const outcome of outcomes) {
        expect(outcome).toMatchObject({ status: 'rejected', field: 'child' });
        expect((outcome as { message: string }).message).toContain(
          'a person must confirm whether it is the same child',
        );
      }
      expect(outcomes).toHaveLength(2);
      expect(await count('cases', 'select count(*) as n from child_subject')).toBe(children);
    });

    it("links another plugin's record to the same child by a shared strong identifier", async () => {
      const outcomes = await apply('cases', 'police', 'police', [
        child('PPN/77', 'a', {
          ...MIA,
          identifiers: [
            { system: 'police-person-id', value: 'NB-PP-0042' },
            { system: 'nhs-number', value: MIA_NHS },
          ],
        }),
      ]);
      expect(outcomes).toEqual([{ status: 'updated' }]);
      const mia = await entityOf('cases', 'health', 'Patient/mia');
      expect(await entityOf('cases', 'police', 'PPN/77')).toBe(mia);
      expect(
        await count('cases', 'select count(*) as n from child_identifier where child_id = ?', [
          mia,
        ]),
      ).toBe(3);
    });

    it("links a pupil's UPN under the DfE's system to the child known by its `upn`", async () => {
      const [known] = await sql(
        'cases',
        "select child_id from child_identifier where system = 'upn' and value = ?",
        ['A123456789012'],
      );
      const outcomes = await apply('cases', 'school', 'education', [
        child('CTF/A123456789012', 'h1', {
          name: 'Jayden Cole',
          dateOfBirth: '2015-11-02',
          identifiers: [{ system: UPN_SYSTEM, value: 'A123456789012' }],
        }),
      ]);
      // Linked, and nothing to add: the UPN is the one the hub holds.
      expect(outcomes).toEqual([{ status: 'unchanged' }]);
      expect(await entityOf('cases', 'school', 'CTF/A123456789012')).toBe(known.child_id);
      expect(
        await count('cases', 'select count(*) as n from child_identifier where system = ?', [
          UPN_SYSTEM,
        ]),
      ).toBe(0);
    });

    it('never links a child across boards, even with the same source id and identifier', async () => {
      const outcomes = await apply('cases', 'southHealth', 'health', [
        child('Patient/mia', '1', { ...MIA, identifiers: [{ system: FHIR_NHS, value: MIA_NHS }] }),
      ]);
      expect(outcomes).toEqual([{ status: 'created' }]);
      const rows = await sql('cases', 'select board_id from child_subject where name = ?', [
        MIA.name,
      ]);
      expect(new Set(rows.map((row) => row.board_id)).size).toBe(2);
      expect((await ledger('cases', 'Patient/mia')).map((e) => e.agencyId).sort()).toEqual(
        [agencies.health, agencies.southHealth].sort(),
      );
    });
  });

  describe('cases', () => {
    const CASE = `query ($id: ID!) { case(id: $id) {
      reference planType child { id } leadAgency { id } involvedAgencies { id }
      sourceRecords { plugin sourceId agency { id } } } }`;
    const caseRecord = (version: string, overrides: Record<string, unknown> = {}) =>
      ({
        kind: 'case',
        sourceId: 'PPN/77-case',
        sourceVersion: version,
        child: { ...MIA, identifiers: [{ system: 'police-person-id', value: 'NB-PP-0042' }] },
        planType: 'CHILD_IN_NEED',
        leadAgency: { kind: 'CHILDRENS_SOCIAL_CARE' },
        involvedAgencies: [{ kind: 'CHILDRENS_SOCIAL_CARE' }, { kind: 'EDUCATION' }],
        ...overrides,
      }) as CanonicalRecordInput;

    it('opens a case as createCase does, naming agencies by kind, with its source record', async () => {
      expect(await apply('cases', 'police', 'police', [caseRecord('1')])).toEqual([
        { status: 'created' },
      ]);
      const caseId = await entityOf('cases', 'police', 'PPN/77-case');
      const found = ok(await t.gql(await t.tokenOf('police'), CASE, { id: caseId }), 'case');
      expect(found).toMatchObject({
        reference: expect.stringMatching(/^CASE-\d{4}-\d{6}$/),
        planType: 'CHILD_IN_NEED',
        child: { id: await entityOf('cases', 'health', 'Patient/mia') },
        leadAgency: { id: agencies.socialCare },
        sourceRecords: [
          { plugin: 'police', sourceId: 'PPN/77-case', agency: { id: agencies.police } },
        ],
      });
      expect(found.involvedAgencies.map((a: { id: string }) => a.id).sort()).toEqual(
        [agencies.police, agencies.socialCare, agencies.school].sort(),
      );
      const audit = await em('cases').findOneOrFail(AuditEntry, {
        action: 'case.create',
        actorId: ids.police,
      });
      expect(audit.entityIds).toEqual([caseId, 'ingest:police']);
      expect(
        await em('cases').count(OutboxEvent, { type: 'CaseCreated', aggregateId: caseId }),
      ).toBe(1);
    });

    it('involves the agencies a new version adds, and refuses to change the plan type', async () => {
      const caseId = await entityOf('cases', 'police', 'PPN/77-case');
      const involved = () =>
        count('cases', 'select count(*) as n from case_agency where case_id = ?', [caseId]);
      const more = {
        involvedAgencies: [
          { kind: 'CHILDRENS_SOCIAL_CARE' },
          { kind: 'EDUCATION' },
          { kind: 'HOUSING' },
        ],
      };
      expect(await apply('cases', 'police', 'police', [caseRecord('2', more)])).toEqual([
        { status: 'updated' },
      ]);
      expect(await involved()).toBe(4);
      expect(
        await em('cases').count(OutboxEvent, { type: 'CaseAgencyAdded', aggregateId: caseId }),
      ).toBe(1);
      expect(await apply('cases', 'police', 'police', [caseRecord('2', more)])).toEqual([
        { status: 'unchanged' },
      ]);
      const [refused] = await apply('cases', 'police', 'police', [
        caseRecord('3', { ...more, planType: 'CHILD_PROTECTION' }),
      ]);
      expect(refused).toMatchObject({ status: 'rejected', field: 'planType' });
      expect((refused as { message: string }).message).toContain('has plan type CHILD_IN_NEED');
      expect(await involved()).toBe(4);
      expect((await ledger('cases', 'PPN/77-case'))[0].sourceVersion).toBe('2');
    });

    it('commits the good records of a batch and nothing of a bad one (an ambiguous agency)', async () => {
      const tables = [
        'child_subject',
        'case_file',
        'source_record',
        'ingest_ledger',
        'outbox_event',
      ];
      const counts = () =>
        Promise.all(tables.map((table) => count('cases', `select count(*) as n from ${table}`)));
      const before = await counts();
      const outcomes = await apply('cases', 'police', 'police', [
        child('PPN/80', 'a', {
          name: 'Noah Green',
          identifiers: [{ system: 'police-person-id', value: 'NB-PP-0080' }],
        }),
        caseRecord('1', {
          sourceId: 'PPN/81-case',
          child: {
            name: 'Ava Brown',
            identifiers: [{ system: 'police-person-id', value: 'NB-PP-0081' }],
          },
          leadAgency: undefined,
          involvedAgencies: [{ kind: 'EDUCATION' }, { kind: 'HEALTH' }],
        }),
        child('PPN/82', 'a', {
          name: 'Lily White',
          identifiers: [{ system: 'police-person-id', value: 'NB-PP-0082' }],
        }),
      ]);
      expect(outcomes).toEqual([
        { status: 'created' },
        {
          status: 'rejected',
          field: 'involvedAgencies.1',
          message:
            'the board has 2 HEALTH agencies ("Northbridge Community Health", "Northbridge NHS Foundation Trust"): name one',
        },
        { status: 'created' },
      ]);
      const after = await counts();
      // Two children and their two ledger entries; no case, source record, child or event for Ava.
      expect(after.map((n, i) => n - before[i])).toEqual([2, 0, 0, 2, 0]);
      expect(
        await count('cases', 'select count(*) as n from child_subject where name = ?', [
          'Ava Brown',
        ]),
      ).toBe(0);
    });

    it('rejects a kind the cases subgraph does not own', async () => {
      const [outcome] = await apply('cases', 'police', 'police', [
        {
          kind: 'escalation-record',
          sourceId: 'X/1',
          sourceVersion: '1',
          disagreementSourceId: 'DIS/1',
          author: { email: 'police@northbridge.example' },
          recordKind: 'NOTE',
          text: 'A note.',
          occurredAt: '2027-01-04T10:00:00Z',
        },
      ]);
      expect(outcome).toMatchObject({ status: 'rejected', field: 'kind' });
    });
  });

  describe('disagreements and their entries', () => {
    const ESCALATION = `query ($id: ID!) { escalation(id: $id) {
      reference status summary currentStage { number } raisedBy { id } raisingAgency { id }
      respondingAgency { id } records { kind text author { id } } } }`;
    const disagreement = (
      sourceId: string,
      version: string,
      overrides: Record<string, unknown> = {},
    ) =>
      ({
        kind: 'disagreement',
        sourceId,
        sourceVersion: version,
        caseSourceId: 'PPN/77-case',
        raisedBy: { email: 'police@northbridge.example' },
        respondingAgency: { kind: 'CHILDRENS_SOCIAL_CARE' },
        respondent: { email: 'csc@northbridge.example' },
        category: 'LEVELS_OF_NEED',
        ground: 'DECISION_CHALLENGE',
        summary: 'Referral closed with no further action; police consider the threshold met.',
        desiredOutcome: 'A strategy discussion within two working days.',
        occurredAt: '2026-01-04T09:30:00Z',
        ...overrides,
      }) as CanonicalRecordInput;
    const escalations = () => count('escalations', 'select count(*) as n from escalation');

    it('raises an escalation at stage 1 for the raiser, who sees it through the gateway', async () => {
      expect(await apply('escalations', 'police', 'police', [disagreement('DIS/1', '1')])).toEqual([
        { status: 'created' },
      ]);
      const id = await entityOf('escalations', 'police', 'DIS/1');
      const escalation = ok(
        await t.gql(await t.tokenOf('police'), ESCALATION, { id }),
        'escalation',
      );
      expect(escalation).toMatchObject({
        status: 'OPEN',
        currentStage: { number: 1 },
        raisedBy: { id: t.demo.people.police.id },
        raisingAgency: { id: agencies.police },
        respondingAgency: { id: agencies.socialCare },
      });
      expect(escalation.records.map((r: { kind: string }) => r.kind)).toEqual([
        'CONCERN_RAISED',
        'NOTE',
      ]);
      expect(escalation.records[1]).toMatchObject({ author: { id: ids.police } });
      expect(escalation.records[1].text).toContain('Raised from police source record DIS/1');
      const audit = await em('escalations').findOneOrFail(AuditEntry, {
        action: 'escalation.raise',
        actorId: ids.police,
      });
      expect(audit.entityIds).toEqual([id, 'ingest:police']);
    });

    it('rejects a raiser who is unknown, deactivated or of another agency, naming raisedBy.email', async () => {
      const before = await escalations();
      const as = (email: string, n: number) =>
        disagreement(`DIS/bad-${n}`, '1', { raisedBy: { email } });
      const outcomes = await apply('escalations', 'police', 'police', [
        as('nobody@northbridge.example', 1),
        as('retired.officer@northbridge.example', 2),
        as('school@northbridge.example', 3),
        as('officer@southmoor.example', 4),
      ]);
      expect(outcomes).toEqual([
        {
          status: 'rejected',
          field: 'raisedBy.email',
          message: "no practitioner has this email in your board's directory",
        },
        { status: 'rejected', field: 'raisedBy.email', message: 'is deactivated in the directory' },
        {
          status: 'rejected',
          field: 'raisedBy.email',
          message: 'is not a practitioner of your agency',
        },
        {
          status: 'rejected',
          field: 'raisedBy.email',
          message: "no practitioner has this email in your board's directory",
        },
      ]);
      expect(await escalations()).toBe(before);
    });

    it('refuses a disagreement within the raiser’s line-management chain (whistleblowing)', async () => {
      const before = await escalations();
      const [outcome] = await apply('escalations', 'police', 'police', [
        disagreement('DIS/wb', '1', {
          respondingAgency: { kind: 'POLICE' },
          respondent: { email: 'police.manager@northbridge.example' },
        }),
      ]);
      expect(outcome).toMatchObject({ status: 'rejected', field: 'respondent.email' });
      expect((outcome as { message: string }).message).toContain('whistleblowing procedure');
      expect(await escalations()).toBe(before);
    });

    it('is unchanged on a rerun and records a new version as a note, never a second escalation', async () => {
      const id = await entityOf('escalations', 'police', 'DIS/1');
      expect(await apply('escalations', 'police', 'police', [disagreement('DIS/1', '1')])).toEqual([
        { status: 'unchanged' },
      ]);
      const summary = 'Referral closed again after a second contact; threshold still met.';
      expect(
        await apply('escalations', 'police', 'police', [disagreement('DIS/1', '2', { summary })]),
      ).toEqual([{ status: 'updated' }]);
      expect(
        await count('escalations', 'select count(*) as n from escalation where case_id = ?', [
          await entityOf('cases', 'police', 'PPN/77-case'),
        ]),
      ).toBe(1);
      const escalation = ok(
        await t.gql(await t.tokenOf('police'), ESCALATION, { id }),
        'escalation',
      );
      // The escalation as raised is kept; the record says what changed in the source.
      expect(escalation.summary).not.toBe(summary);
      expect(escalation.records.map((r: { kind: string }) => r.kind)).toEqual([
        'CONCERN_RAISED',
        'NOTE',
        'NOTE',
      ]);
      expect(escalation.records[2].text).toContain(`summary now: ${summary}`);
    });

    it('writes an entry on the escalation its disagreement raised, in the same batch', async () => {
      const entry = (sourceId: string, version: string, overrides: Record<string, unknown> = {}) =>
        ({
          kind: 'escalation-record',
          sourceId,
          sourceVersion: version,
          disagreementSourceId: 'DIS/2',
          author: { email: 'csc@northbridge.example' },
          recordKind: 'DISCUSSION',
          text: 'Discussed by phone with PC Okafor; no agreement yet.',
          occurredAt: '2026-01-05T11:00:00Z',
          ...overrides,
        }) as CanonicalRecordInput;
      const outcomes = await apply('escalations', 'police', 'police', [
        disagreement('DIS/2', '1'),
        entry('ENT/1', '1'),
        entry('ENT/2', '1', { disagreementSourceId: 'DIS/unknown' }),
      ]);
      expect(outcomes).toEqual([
        { status: 'created' },
        { status: 'created' },
        {
          status: 'rejected',
          field: 'disagreementSourceId',
          message:
            'no disagreement record with this source id from police has been applied for your agency',
        },
      ]);
      expect(
        await apply('escalations', 'police', 'police', [
          entry('ENT/1', '2', { text: 'Discussed by phone; CSC will reconsider by Friday.' }),
        ]),
      ).toEqual([{ status: 'updated' }]);
      const id = await entityOf('escalations', 'police', 'DIS/2');
      const escalation = ok(await t.gql(await t.tokenOf('csc'), ESCALATION, { id }), 'escalation');
      const records = escalation.records as {
        kind: string;
        text: string;
        author: { id: string };
      }[];
      expect(records.find((r) => r.kind === 'DISCUSSION')).toMatchObject({
        author: { id: t.demo.people.csc.id },
        text: 'Discussed by phone with PC Okafor; no agreement yet.',
      });
      expect(records.at(-1)!.text).toContain(
        'it now reads: Discussed by phone; CSC will reconsider',
      );
    });
    it('asks the cases subgraph as much for a batch of four disagreements as for one, and reads the policy once', async () => {
      // Four cases of four children, so that no record's facts are another's.
      const sources = [1, 2, 3, 4, 5].map((n) => `PPN/facts-${n}`);
      const opened = await apply(
        'cases',
        'police',
        'police',
        sources.map(
          (sourceId, i) =>
            ({
              kind: 'case',
              sourceId,
              sourceVersion: '1',
              child: {
                name: `Facts Child ${'ABCDE'[i]}`,
                dateOfBirth: `2018-0${i + 1}-11`,
                identifiers: [{ system: 'police-person-id', value: `NB-PP-FACTS-${i}` }],
              },
              planType: 'CHILD_IN_NEED',
              leadAgency: { kind: 'CHILDRENS_SOCIAL_CARE' },
              involvedAgencies: [{ kind: 'CHILDRENS_SOCIAL_CARE' }],
            }) as CanonicalRecordInput,
        ),
      );
      expect(opened).toEqual(sources.map(() => ({ status: 'created' })));
      /** Statements the cases subgraph ran for one batch applied by the escalations subgraph. */
      const casesStatements = async (about: string[]) => {
        const correlationId = randomUUID();
        const records = about.map((caseSourceId) =>
          disagreement(`DIS/${caseSourceId}`, '1', { caseSourceId }),
        );
        expect(await apply('escalations', 'police', 'police', records, correlationId)).toEqual(
          records.map(() => ({ status: 'created' })),
        );
        const policyReads = t
          .db('escalations')
          .queries.forRequest(correlationId)
          .filter(
            (sql) => /^select\b/i.test(sql.trim()) && /\bescalation_policy\b/.test(sql),
          ).length;
        return { cases: t.db('cases').queries.countForRequest(correlationId), policyReads };
      };
      const one = await casesStatements(sources.slice(0, 1));
      const four = await casesStatements(sources.slice(1));
      // The batch's facts (its cases, the people it names, their line managers) are asked for
      // together before it is applied, not record by record; and the board's policy is read
      // once for the batch.
      expect(one.cases).toBeGreaterThan(0);
      expect(four.cases).toBe(one.cases);
      expect(one.policyReads).toBe(1);
      expect(four.policyReads).toBe(1);
    });
  });

  describe('the integration account', () => {
    const record = child('Patient/zz', '1', { name: 'Zara Quinn' });

    it('must hold INTEGRATION', async () => {
      ids.officer = t.demo.people.police.id;
      for (const subgraph of ['cases', 'escalations'] as const) {
        const answer = await post(subgraph, body('officer', 'health', [record]));
        expect(answer).toEqual({
          status: 403,
          body: { error: 'the account does not hold the INTEGRATION role' },
        });
      }
    });

    it('is refused at once when deactivated', async () => {
      expect((await post('cases', body('retired', 'health', [record]))).status).toBe(200);
      await deactivate(ids.retired);
      for (const subgraph of ['cases', 'escalations'] as const) {
        const answer = await post(subgraph, body('retired', 'health', [record]));
        expect(answer).toEqual({
          status: 403,
          body: { error: 'the integration account is deactivated' },
        });
      }
    });

    it('gets 400 naming the field for a malformed request', async () => {
      const answer = await post('cases', {
        integration: { practitionerId: ids.health },
        records: [{ index: 0, plugin: 'health', record: { kind: 'child', sourceId: 'P/1' } }],
      });
      expect(answer.status).toBe(400);
      expect(answer.body.error).toContain('records.0.record.sourceVersion');
    });
  });
});
