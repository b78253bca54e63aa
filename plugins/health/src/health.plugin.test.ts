import { describe, expect, it } from 'vitest';
import { healthPlugin } from './health.plugin.js';
import {
  DEFAULT_DESIRED_OUTCOME,
  HUB_CODE_SYSTEMS,
  type HealthPluginOptions,
} from './health.options.js';
import {
  JSON_TYPE,
  XML_TYPE,
  fixture,
  ingest,
  readItems,
  recordsOf,
  type ReadItem,
} from './health.test-helpers.js';
import { NHS_NUMBER_SYSTEM } from './nhs-number.validator.js';

type Resource = Record<string, unknown>;

const CPIS = 'urn:oid:2.16.840.1.113883.2.1.3.2.4.17.469';

/** A collection Bundle of the resources, each with a fullUrl from its type and id. */
function bundle(...resources: Resource[]): string {
  return JSON.stringify({
    resourceType: 'Bundle',
    type: 'collection',
    entry: resources.map((resource) => ({
      ...(resource.id
        ? { fullUrl: `https://fhir.example.org/${resource.resourceType}/${resource.id}` }
        : {}),
      resource,
    })),
  });
}

const child = (overrides: Resource = {}): Resource => ({
  resourceType: 'Patient',
  id: 'c1',
  identifier: [{ system: NHS_NUMBER_SYSTEM, value: '9000000009' }],
  name: [{ use: 'official', given: ['Amelia'], family: 'Khan' }],
  birthDate: '2015-03-01',
  ...overrides,
});

const practitioner = (id: string, email: string): Resource => ({
  resourceType: 'Practitioner',
  id,
  telecom: [{ system: 'email', value: email }],
});

const organization = (id: string, code: string, name?: string): Resource => ({
  resourceType: 'Organization',
  id,
  type: [{ coding: [{ system: HUB_CODE_SYSTEMS.agencyKind, code }] }],
  ...(name ? { name } : {}),
});

const cpisFlag = (overrides: Resource = {}): Resource => ({
  resourceType: 'Flag',
  id: 'f1',
  status: 'active',
  code: { coding: [{ system: CPIS, code: 'CPPI' }] },
  subject: { reference: 'Patient/c1' },
  period: { start: '2024-01-15T09:00:00+00:00', end: '2024-07-15' },
  ...overrides,
});

const challenge = (overrides: Resource = {}): Resource => ({
  resourceType: 'Communication',
  id: 'ch1',
  status: 'completed',
  category: [
    { coding: [{ system: HUB_CODE_SYSTEMS.escalation, code: 'professional-disagreement' }] },
  ],
  reasonCode: [
    {
      coding: [
        { system: HUB_CODE_SYSTEMS.category, code: 'assessment-outcome' },
        { system: HUB_CODE_SYSTEMS.ground, code: 'decision-challenge' },
      ],
    },
  ],
  subject: { reference: 'Patient/c1' },
  sender: { reference: 'Practitioner/p1' },
  recipient: [{ reference: 'Organization/o1' }],
  sent: '2024-05-01T09:30:00+01:00',
  payload: [{ contentString: 'The assessment ignored the school nurse’s concerns.' }],
  ...overrides,
});

const thread = (...resources: Resource[]) =>
  bundle(
    child(),
    practitioner('p1', 'gp@health.example'),
    organization('o1', 'childrens-social-care', 'Leeds CSC'),
    ...resources,
  );

async function read(body: string, options?: HealthPluginOptions, type = JSON_TYPE) {
  return readItems(healthPlugin(options), body, type);
}

/** The map result of the item with this sourceId. */
function mappedOf(items: ReadItem[], sourceId: string) {
  const item = items.find(
    (candidate) => candidate.type === 'record' && candidate.sourceId === sourceId,
  );
  if (item?.type !== 'record') throw new Error(`no record ${sourceId} in ${JSON.stringify(items)}`);
  return item.mapped;
}

describe('the health plugin', () => {
  it('is a plain object naming itself, its agency kind and the media types it reads', () => {
    const plugin = healthPlugin();
    expect(plugin).toMatchObject({
      name: 'health',
      agencyKind: 'HEALTH',
      contentTypes: [
        'application/fhir+json',
        'application/json',
        'application/fhir+xml',
        'application/xml',
      ],
    });
  });

  it('refuses options it cannot use, naming the option', () => {
    expect(() => healthPlugin({ identifierSystems: [''] })).toThrow(/identifierSystems\[0\]/);
    expect(() => healthPlugin({ maxEntryBytes: 0 })).toThrow(/maxEntryBytes/);
    expect(() =>
      healthPlugin({ planTypeCodings: [{ system: CPIS, code: 'X', planType: 'NOPE' as never }] }),
    ).toThrow(/planTypeCodings\[0\]\.planType/);
  });
});

describe('Patient → child', () => {
  it('maps the official name, the birth date and the NHS number; versions by meta.versionId', async () => {
    const items = await read(
      JSON.stringify(
        child({
          meta: { versionId: '4', lastUpdated: '2024-01-01T00:00:00Z' },
          name: [
            { use: 'usual', given: ['Millie'] },
            { use: 'official', given: ['Amelia', 'Rose'], family: 'Khan' },
          ],
        }),
      ),
    );
    expect(items).toEqual([
      {
        type: 'record',
        sourceId: 'Patient/c1',
        mapped: {
          outcome: 'records',
          records: [
            {
              kind: 'child',
              sourceId: 'Patient/c1',
              sourceVersion: '4',
              child: {
                name: 'Amelia Rose Khan',
                dateOfBirth: '2015-03-01',
                identifiers: [{ system: NHS_NUMBER_SYSTEM, value: '9000000009' }],
              },
            },
          ],
        },
      },
    ]);
  });

  it('takes the first name when none is official, and its text when it has no parts', async () => {
    const [item] = await read(
      JSON.stringify(child({ name: [{ text: 'Ruby Ellis' }, { given: ['R'] }] })),
    );
    expect(recordsOf([item!])).toMatchObject([{ child: { name: 'Ruby Ellis' } }]);
  });

  it('versions by meta.lastUpdated, else by a hash of what it maps (stable, format-free)', async () => {
    const byDate = await read(
      JSON.stringify(child({ meta: { lastUpdated: '2024-02-02T10:00:00Z' } })),
    );
    expect(recordsOf(byDate)).toMatchObject([{ sourceVersion: '2024-02-02T10:00:00Z' }]);
    const first = recordsOf(await read(JSON.stringify(child({ gender: 'female' })))) as Resource[];
    const again = recordsOf(await read(JSON.stringify(child({ gender: 'male' })))) as Resource[];
    const renamed = recordsOf(
      await read(JSON.stringify(child({ name: [{ given: ['Amy'], family: 'Khan' }] }))),
    ) as Resource[];
    expect(first[0]!.sourceVersion).toMatch(/^sha256:[0-9a-f]{64}$/);
    // A field the hub does not receive is no new version; a changed name is.
    expect(again[0]!.sourceVersion).toBe(first[0]!.sourceVersion);
    expect(renamed[0]!.sourceVersion).not.toBe(first[0]!.sourceVersion);
  });

  it('rejects an NHS number that fails its check digit, naming the identifier', async () => {
    const items = await read(
      JSON.stringify(
        child({
          identifier: [
            { system: 'https://fhir.example.org/mrn', value: 'X1' },
            { system: NHS_NUMBER_SYSTEM, value: '9000000008' },
          ],
        }),
      ),
    );
    expect(mappedOf(items, 'Patient/c1')).toEqual({
      outcome: 'rejected',
      field: 'identifier[1].value',
      message: 'NHS number fails its check digit',
    });
  });

  it('keeps only allow-listed identifier systems and ignores superseded (old) identifiers', async () => {
    const identifier = [
      { system: 'https://fhir.example.org/mrn', value: 'X1' },
      { system: NHS_NUMBER_SYSTEM, value: '1234567890', use: 'old' },
      { system: NHS_NUMBER_SYSTEM, value: '9000000009' },
    ];
    const only = recordsOf(await read(JSON.stringify(child({ identifier }))));
    expect(only).toMatchObject([{ child: { identifiers: [{ system: NHS_NUMBER_SYSTEM }] } }]);
    const both = recordsOf(
      await read(JSON.stringify(child({ identifier })), {
        identifierSystems: [NHS_NUMBER_SYSTEM, 'https://fhir.example.org/mrn'],
      }),
    );
    expect(both).toMatchObject([
      {
        child: {
          identifiers: [
            { system: 'https://fhir.example.org/mrn', value: 'X1' },
            { system: NHS_NUMBER_SYSTEM, value: '9000000009' },
          ],
        },
      },
    ]);
  });

  it('rejects a Patient without a name, a partial or impossible birth date, and no id', async () => {
    const cases: Array<[Resource, string, RegExp]> = [
      [child({ name: [] }), 'name', /no name/],
      [child({ name: [{ use: 'official' }] }), 'name[0]', /no given name, family name or text/],
      [child({ birthDate: '2015-02' }), 'birthDate', /whole date/],
      [child({ birthDate: '2015-02-30' }), 'birthDate', /calendar date/],
      [
        child({ identifier: [{ system: NHS_NUMBER_SYSTEM, value: '900 000 0009' }] }),
        'identifier[0].value',
        /10 digits/,
      ],
      [child({ name: 'Amelia' }), 'name', /must be an array/],
      [child({ id: undefined }), 'id', /no id/],
    ];
    for (const [resource, field, message] of cases) {
      const [item] = await read(JSON.stringify(resource));
      expect(item, field).toMatchObject({ type: 'record', mapped: { outcome: 'rejected', field } });
      expect(
        item!.type === 'record' && item.mapped.outcome === 'rejected' && item.mapped.message,
      ).toMatch(message);
    }
  });
});

describe('Flag → case', () => {
  it('maps a CP-IS plan Flag to a case about its subject, with the plan type and period', async () => {
    const items = await read(
      bundle(child({ meta: { versionId: '2' } }), cpisFlag({ meta: { versionId: '5' } })),
    );
    const [record] = recordsOf([items[1]!]) as Resource[];
    expect(record).toEqual({
      kind: 'case',
      sourceId: 'Flag/f1',
      sourceVersion: expect.stringMatching(/^5\+[0-9a-f]{16}$/),
      child: {
        name: 'Amelia Khan',
        dateOfBirth: '2015-03-01',
        identifiers: [{ system: NHS_NUMBER_SYSTEM, value: '9000000009' }],
      },
      planType: 'CHILD_PROTECTION',
      planStart: '2024-01-15',
      planEnd: '2024-07-15',
      involvedAgencies: [],
    });
  });

  it('reads the plan type from CP-IS codes, and the NHS England CP-IS flag without one', async () => {
    const planOf = async (flag: Resource) => {
      const items = await read(bundle(child(), flag));
      return items[1]!.type === 'record' ? items[1]!.mapped : undefined;
    };
    expect(
      await planOf(cpisFlag({ code: { coding: [{ system: CPIS, code: 'LACI' }] } })),
    ).toMatchObject({
      records: [{ planType: 'LOOKED_AFTER' }],
    });
    expect(
      await planOf(
        cpisFlag({
          code: { coding: [{ system: 'http://snomed.info/sct', code: '224353004' }] },
          category: [
            {
              coding: [
                {
                  system: 'https://fhir.nhs.uk/England/CodeSystem/PatientFlagCategory',
                  code: 'CP-IS',
                },
              ],
            },
          ],
        }),
      ),
    ).toMatchObject({ records: [{ planType: 'CHILD_PROTECTION' }] });
    // An unborn child's plan is about the expectant mother: skipped, saying so.
    expect(
      await planOf(cpisFlag({ code: { coding: [{ system: CPIS, code: 'UCPI' }] } })),
    ).toMatchObject({
      outcome: 'skipped',
      reason: expect.stringMatching(/unborn/),
    });
  });

  it('follows the subject by fullUrl and by absolute URL as well as by Type/id', async () => {
    const byUrn = JSON.stringify({
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        {
          fullUrl: 'urn:uuid:0d6b0c55-4f2e-4a42-8f3e-1b2c3d4e5f60',
          resource: child({ id: undefined }),
        },
        {
          fullUrl: 'urn:uuid:0d6b0c55-4f2e-4a42-8f3e-1b2c3d4e5f61',
          resource: cpisFlag({
            id: undefined,
            subject: { reference: 'urn:uuid:0d6b0c55-4f2e-4a42-8f3e-1b2c3d4e5f60' },
          }),
        },
      ],
    });
    expect(recordsOf(await read(byUrn))).toMatchObject([
      { kind: 'child', sourceId: 'urn:uuid:0d6b0c55-4f2e-4a42-8f3e-1b2c3d4e5f60' },
      { kind: 'case', sourceId: 'urn:uuid:0d6b0c55-4f2e-4a42-8f3e-1b2c3d4e5f61' },
    ]);
    const absolute = bundle(
      child(),
      cpisFlag({ subject: { reference: 'https://other.example/fhir/Patient/c1/_history/2' } }),
    );
    expect(recordsOf(await read(absolute))).toMatchObject([{ kind: 'child' }, { kind: 'case' }]);
  });

  it('rejects a Flag whose subject is not earlier in the body, or was rejected', async () => {
    const missing = await read(bundle(cpisFlag(), child()));
    expect(mappedOf(missing, 'Flag/f1')).toMatchObject({
      outcome: 'rejected',
      field: 'subject',
      message: expect.stringMatching(/Patient\/c1 is not a Patient earlier in this body/),
    });
    const rejected = await read(
      bundle(
        child({ identifier: [{ system: NHS_NUMBER_SYSTEM, value: '9000000008' }] }),
        cpisFlag(),
      ),
    );
    expect(mappedOf(rejected, 'Flag/f1')).toEqual({
      outcome: 'rejected',
      field: 'subject',
      message: 'Patient/c1 was rejected (identifier[0].value: NHS number fails its check digit)',
    });
  });

  it('skips inactive and entered-in-error Flags and Flags that are not child-protection plans', async () => {
    for (const [flag, reason] of [
      [cpisFlag({ status: 'inactive' }), /inactive/],
      [cpisFlag({ status: 'entered-in-error' }), /entered-in-error/],
      [
        cpisFlag({ code: { coding: [{ system: 'http://snomed.info/sct', code: '226201008' }] } }),
        /not a child-protection Flag/,
      ],
    ] as const) {
      const items = await read(bundle(child(), flag));
      expect(mappedOf(items, 'Flag/f1')).toMatchObject({
        outcome: 'skipped',
        reason: expect.stringMatching(reason),
      });
    }
  });

  it('rejects a period that ends before it starts, or is not a date', async () => {
    const backwards = await read(
      bundle(child(), cpisFlag({ period: { start: '2024-05-01', end: '2024-04-01' } })),
    );
    expect(mappedOf(backwards, 'Flag/f1')).toMatchObject({
      outcome: 'rejected',
      field: 'period.end',
    });
    const garbled = await read(bundle(child(), cpisFlag({ period: { start: 'last Tuesday' } })));
    expect(mappedOf(garbled, 'Flag/f1')).toMatchObject({
      outcome: 'rejected',
      field: 'period.start',
    });
  });
});

describe('Communication and Task challenges → disagreements', () => {
  it('maps a challenge to a case for its child and a disagreement raised by the sender', async () => {
    const items = await read(thread(challenge({ meta: { versionId: '1' } })));
    expect(mappedOf(items, 'Communication/ch1')).toEqual({
      outcome: 'records',
      records: [
        {
          kind: 'case',
          sourceId: 'Patient/c1/case',
          sourceVersion: expect.stringMatching(/^sha256:/),
          child: expect.objectContaining({ name: 'Amelia Khan' }),
          planType: 'NONE',
          involvedAgencies: [],
        },
        {
          kind: 'disagreement',
          sourceId: 'Communication/ch1',
          sourceVersion: expect.stringMatching(/^1\+[0-9a-f]{16}$/),
          caseSourceId: 'Patient/c1/case',
          raisedBy: { email: 'gp@health.example' },
          respondingAgency: { kind: 'CHILDRENS_SOCIAL_CARE', name: 'Leeds CSC' },
          category: 'ASSESSMENT_OUTCOME',
          ground: 'DECISION_CHALLENGE',
          summary: 'The assessment ignored the school nurse’s concerns.',
          desiredOutcome: DEFAULT_DESIRED_OUTCOME,
          occurredAt: '2024-05-01T09:30:00+01:00',
        },
      ],
    });
  });

  it('joins the case of a child-protection Flag it is about, instead of a case of its own', async () => {
    const items = await read(thread(cpisFlag(), challenge({ about: [{ reference: 'Flag/f1' }] })));
    expect(mappedOf(items, 'Communication/ch1')).toMatchObject({
      records: [{ kind: 'disagreement', caseSourceId: 'Flag/f1' }],
    });
  });

  it('names a recipient practitioner as the respondent, and a note as the desired outcome', async () => {
    const items = await read(
      thread(
        practitioner('p2', 'sw@csc.example'),
        challenge({
          recipient: [{ reference: 'Practitioner/p2' }, { reference: 'Organization/o1' }],
          note: [{ text: 'A joint visit this week.' }],
        }),
      ),
    );
    expect(mappedOf(items, 'Communication/ch1')).toMatchObject({
      records: [
        {},
        { respondent: { email: 'sw@csc.example' }, desiredOutcome: 'A joint visit this week.' },
      ],
    });
  });

  it('maps a reply (inResponseTo) to an escalation record of the kind its code says, else a note', async () => {
    const reply = (id: string, code?: string): Resource => ({
      resourceType: 'Communication',
      id,
      status: 'completed',
      ...(code ? { category: [{ coding: [{ system: HUB_CODE_SYSTEMS.escalation, code }] }] } : {}),
      inResponseTo: [{ reference: id === 'r2' ? 'Communication/r1' : 'Communication/ch1' }],
      sender: { reference: 'Practitioner/p2' },
      sent: '2024-05-02T10:00:00Z',
      payload: [{ contentString: `reply ${id}` }],
    });
    const items = await read(
      thread(
        practitioner('p2', 'sw@csc.example'),
        challenge(),
        reply('r1', 'decision'),
        reply('r2'),
      ),
    );
    expect(mappedOf(items, 'Communication/r1')).toMatchObject({
      records: [
        {
          kind: 'escalation-record',
          sourceId: 'Communication/r1',
          disagreementSourceId: 'Communication/ch1',
          author: { email: 'sw@csc.example' },
          recordKind: 'DECISION',
          text: 'reply r1',
          occurredAt: '2024-05-02T10:00:00Z',
        },
      ],
    });
    // A reply to a reply belongs to the same disagreement.
    expect(mappedOf(items, 'Communication/r2')).toMatchObject({
      records: [{ disagreementSourceId: 'Communication/ch1', recordKind: 'NOTE' }],
    });
  });

  it('maps a coded reply to a challenge ingested before, by its Type/id', async () => {
    const reply = {
      resourceType: 'Communication',
      id: 'r9',
      status: 'completed',
      category: [{ coding: [{ system: HUB_CODE_SYSTEMS.escalation, code: 'note' }] }],
      inResponseTo: [{ reference: 'https://fhir.example.org/Communication/ch0' }],
      sender: { reference: 'Practitioner/p1' },
      sent: '2024-05-02T10:00:00Z',
      payload: [{ contentString: 'Chased by phone.' }],
    };
    const items = await read(bundle(practitioner('p1', 'gp@health.example'), reply));
    expect(mappedOf(items, 'Communication/r9')).toMatchObject({
      records: [{ disagreementSourceId: 'Communication/ch0', recordKind: 'NOTE' }],
    });
  });

  it('maps a Task challenge and a Task reply (partOf), as in a transaction', async () => {
    const { report, applier } = await ingest(
      healthPlugin(),
      fixture('bundle-transaction.json'),
      JSON_TYPE,
    );
    expect(report).toMatchObject({ received: 7, created: 3, skipped: 4, rejected: [] });
    const task = 'urn:uuid:3f1c2b9e-8a44-4a57-9a55-0d7e0b6f1a04';
    expect(applier.get('health', 'disagreement', task)).toMatchObject({
      caseSourceId: 'urn:uuid:3f1c2b9e-8a44-4a57-9a55-0d7e0b6f1a01/case',
      raisedBy: { email: 'priya.shah@leeds-health.example' },
      respondingAgency: { kind: 'EDUCATION', name: 'Beckett Street Primary School' },
      category: 'INFORMATION_SHARING',
      ground: 'ACTION_NOT_TAKEN',
      desiredOutcome: 'Attendance records for the spring and summer terms.',
      occurredAt: '2024-06-03T11:00:00Z',
    });
    expect(
      applier.get('health', 'escalation-record', 'urn:uuid:3f1c2b9e-8a44-4a57-9a55-0d7e0b6f1a06'),
    ).toMatchObject({
      disagreementSourceId: task,
      recordKind: 'ACTION',
      author: { email: 'dsl@beckett-street.example' },
    });
  });

  it('skips Communications that are neither challenges nor replies, and withdrawn ones', async () => {
    const plain = await read(thread(challenge({ category: undefined })));
    expect(mappedOf(plain, 'Communication/ch1')).toMatchObject({
      outcome: 'skipped',
      reason: expect.stringMatching(/not marked as a professional disagreement/),
    });
    const withdrawn = await read(thread(challenge({ status: 'entered-in-error' })));
    expect(mappedOf(withdrawn, 'Communication/ch1')).toMatchObject({ outcome: 'skipped' });
  });

  it('rejects a challenge missing what the disagreement needs, naming the field', async () => {
    const cases: Array<[Resource, string, RegExp]> = [
      [challenge({ sender: undefined }), 'sender', /names no Practitioner/],
      [
        challenge({ sender: { reference: 'Practitioner/nobody' } }),
        'sender',
        /not a Practitioner earlier in this body/,
      ],
      [challenge({ recipient: undefined }), 'recipient', /names no Organization/],
      [
        challenge({ recipient: [{ reference: 'Organization/untyped' }] }),
        'recipient',
        /names no Organization/,
      ],
      [challenge({ reasonCode: undefined }), 'reasonCode', /disagreement-category/],
      [
        challenge({
          reasonCode: [
            {
              coding: [
                { system: HUB_CODE_SYSTEMS.category, code: 'vibes' },
                { system: HUB_CODE_SYSTEMS.ground, code: 'decision-challenge' },
              ],
            },
          ],
        }),
        'reasonCode[0].coding[0].code',
        /"vibes" is not one of levels-of-need/,
      ],
      [challenge({ payload: undefined }), 'payload[0].contentString', /summary/],
      [challenge({ sent: '2024-05-01' }), 'sent', /time zone/],
      [challenge({ subject: { reference: 'Patient/c9' } }), 'subject', /not a Patient earlier/],
    ];
    for (const [resource, field, message] of cases) {
      const items = await read(thread(resource));
      const mapped = mappedOf(items, 'Communication/ch1');
      expect(mapped, field).toMatchObject({ outcome: 'rejected', field });
      expect(mapped.outcome === 'rejected' && mapped.message, field).toMatch(message);
    }
    for (const telecom of [undefined, [{ system: 'email', value: 'gp at the surgery' }]]) {
      const noEmail = await read(
        bundle(
          child(),
          { resourceType: 'Practitioner', id: 'p1', telecom },
          organization('o1', 'police'),
          challenge(),
        ),
      );
      expect(mappedOf(noEmail, 'Communication/ch1')).toMatchObject({
        field: 'sender',
        message: expect.stringMatching(/no valid email address/),
      });
    }
    const untyped = await read(
      bundle(
        child(),
        practitioner('p1', 'gp@health.example'),
        { resourceType: 'Organization', id: 'o1' },
        challenge(),
      ),
    );
    expect(mappedOf(untyped, 'Communication/ch1')).toMatchObject({
      field: 'recipient[0]',
      message: expect.stringMatching(/no type the plugin maps to a kind of agency/),
    });
  });

  it('uses an option-configured CodeSystem for the challenge marker', async () => {
    const local = 'https://trust.example/CodeSystem/safeguarding';
    const marked = challenge({
      category: [{ coding: [{ system: local, code: 'professional-disagreement' }] }],
    });
    expect(mappedOf(await read(thread(marked)), 'Communication/ch1').outcome).toBe('skipped');
    expect(
      mappedOf(await read(thread(marked), { escalationSystem: local }), 'Communication/ch1')
        .outcome,
    ).toBe('records');
  });
});

describe('Bundles', () => {
  it('reads collection, transaction, batch, searchset and message Bundles', async () => {
    const counts = async (name: string) => {
      const { report } = await ingest(healthPlugin(), fixture(name), JSON_TYPE);
      return {
        received: report.received,
        mapped: report.created,
        skipped: report.skipped,
        rejected: report.rejected,
      };
    };
    expect(await counts('bundle-collection.json')).toEqual({
      received: 9,
      mapped: 4,
      skipped: 5,
      rejected: [],
    });
    expect(await counts('bundle-transaction.json')).toEqual({
      received: 7,
      mapped: 3,
      skipped: 4,
      rejected: [],
    });
    // batch: the Patient and the looked-after Flag; the ended plan and the GET are skipped.
    expect(await counts('bundle-batch.json')).toEqual({
      received: 4,
      mapped: 2,
      skipped: 2,
      rejected: [],
    });
    // searchset: the match; the included Organization and the OperationOutcome are skipped.
    expect(await counts('bundle-searchset.json')).toEqual({
      received: 3,
      mapped: 1,
      skipped: 2,
      rejected: [],
    });
    // message: the Patient and its CP-IS Flag; the MessageHeader and the unborn plan are skipped.
    expect(await counts('bundle-message.json')).toEqual({
      received: 4,
      mapped: 2,
      skipped: 2,
      rejected: [],
    });
  });

  it('does not read history or document Bundles: one problem on type, nothing applied', async () => {
    for (const [name, type] of [
      ['bundle-history.json', 'history'],
      ['bundle-document.json', 'document'],
    ]) {
      const items = await read(fixture(name!).toString());
      expect(items).toEqual([
        {
          type: 'problem',
          field: 'type',
          message: `a Bundle of type "${type}" is not read: send a collection, transaction, batch, searchset, message Bundle`,
        },
      ]);
    }
  });

  it('rejects a DELETE of a resource the plugin maps and skips any other', async () => {
    const items = await read(fixture('transaction-delete-patient.json').toString());
    expect(items).toEqual([
      {
        type: 'record',
        sourceId: 'Patient/child-1',
        mapped: {
          outcome: 'rejected',
          field: 'request.method',
          message: expect.stringMatching(/^DELETE Patient\/child-1 is not applied: the hub keeps/),
        },
      },
    ]);
    const transaction = await read(fixture('bundle-transaction.json').toString());
    expect(mappedOf(transaction, 'Observation/old-1')).toMatchObject({ outcome: 'skipped' });
  });

  it('reports an entry without a resource and goes on with the next', async () => {
    const body = JSON.stringify({
      resourceType: 'Bundle',
      type: 'collection',
      entry: [
        { fullUrl: 'urn:uuid:x' },
        'not an entry',
        { resource: { id: 'no-type' } },
        { resource: child() },
      ],
    });
    const items = await read(body);
    expect(items.map((item) => (item.type === 'problem' ? item.field : item.sourceId))).toEqual([
      'entry[0].resource',
      'entry[1]',
      'entry[2].resource',
      'Patient/c1',
    ]);
  });

  it('accepts application/json and application/xml as FHIR JSON and XML', async () => {
    expect(
      recordsOf(await read(JSON.stringify(child()), undefined, 'application/json')),
    ).toHaveLength(1);
    const xml = fixture('uk-core/UKCore-Patient-RichardSmith-Example.xml').toString();
    expect(recordsOf(await read(xml, undefined, 'application/xml'))).toHaveLength(1);
    expect(recordsOf(await read(xml, undefined, XML_TYPE))).toHaveLength(1);
  });
});
