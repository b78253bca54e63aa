import { Readable } from 'node:stream';
import { MemoryApplier, runIngest } from '@hub/plugin-sdk';
import { outcomes, type Outcome } from '@hub/plugin-sdk/testing';
import { describe, expect, it } from 'vitest';
import { NHS_NUMBER_SYSTEM, POLICE_PERSON_ID_SYSTEM } from './identifier-systems.js';
import { policePlugin } from './police.plugin.js';
import { fixture } from './plugin.test-helpers.js';

const plugin = policePlugin();
const JSON_TYPE = 'application/json';
const CSV = 'text/csv';

const kinds = (result: Outcome[]) => result.map((r) => ('outcome' in r ? r.outcome : r.type));

/** A JSON export of the given referrals. */
const exportOf = (...referrals: unknown[]) => JSON.stringify({ referrals });

/** A referral about a child with every required field, to vary one at a time. */
const referral = (changes: Record<string, unknown> = {}) => ({
  referralId: 'PPN-1',
  lastModified: '2026-03-01T23:10:00Z',
  referredAt: '2026-03-01T22:40:00Z',
  riskGrading: 'Medium',
  person: { personId: 'P-1', name: 'Ann Example' },
  child: { personId: 'P-2', name: 'Bo Example', dateOfBirth: '2015-05-05' },
  officer: { email: 'pc.1@police.example' },
  referredTo: { kind: 'CHILDRENS_SOCIAL_CARE' },
  ...changes,
});

const escalation = {
  category: 'LEVELS_OF_NEED',
  ground: 'DECISION_CHALLENGE',
  summary: 'Closed with advice only.',
  desiredOutcome: 'A strategy discussion.',
};

describe('police plugin: referrals', () => {
  it('maps a referral about a child to a case involving the agency referred to', async () => {
    const result = await outcomes(plugin, fixture('referrals.json'), JSON_TYPE);
    expect(kinds(result)).toEqual(['records', 'records', 'skipped']);
    expect(result[0]).toEqual({
      sourceId: 'referral:PPN-2026-000101',
      outcome: 'records',
      records: [
        {
          kind: 'case',
          sourceId: 'referral:PPN-2026-000101/case',
          sourceVersion: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
          child: {
            name: 'Kai Whitlow',
            dateOfBirth: '2016-09-02',
            identifiers: [{ system: POLICE_PERSON_ID_SYSTEM, value: 'NSP-P-448813' }],
          },
          planType: 'NONE',
          involvedAgencies: [
            { kind: 'CHILDRENS_SOCIAL_CARE', name: "Northshire Children's Services" },
          ],
        },
      ],
    });
  });

  it('maps an escalated referral to a disagreement by the officer, of immediate risk when High', async () => {
    const result = await outcomes(plugin, fixture('referrals.json'), JSON_TYPE);
    expect(result[1]).toEqual({
      sourceId: 'referral:PPN-2026-000102',
      outcome: 'records',
      records: [
        {
          kind: 'case',
          sourceId: 'referral:PPN-2026-000102/case',
          sourceVersion: expect.stringMatching(/^sha256:/),
          child: {
            name: 'Maisie Cole',
            dateOfBirth: '2012-01-30',
            identifiers: [
              { system: POLICE_PERSON_ID_SYSTEM, value: 'NSP-P-300455' },
              { system: NHS_NUMBER_SYSTEM, value: '9434765919' },
            ],
          },
          planType: 'NONE',
          involvedAgencies: [{ kind: 'CHILDRENS_SOCIAL_CARE' }],
        },
        {
          kind: 'disagreement',
          sourceId: 'referral:PPN-2026-000102',
          sourceVersion: '3',
          caseSourceId: 'referral:PPN-2026-000102/case',
          raisedBy: { email: 'ds.2210@northshire.police.example' },
          respondingAgency: { kind: 'CHILDRENS_SOCIAL_CARE' },
          category: 'LEVELS_OF_NEED',
          ground: 'DECISION_CHALLENGE',
          summary:
            'The referral was closed with advice only, although Maisie has gone missing three times and is at risk of exploitation.',
          desiredOutcome: 'A strategy discussion within 24 hours and a section 47 enquiry.',
          immediateRisk: true,
          occurredAt: '2026-03-02T16:15:00Z',
        },
      ],
    });
  });

  it('skips a referral about an adult only, saying why', async () => {
    const result = await outcomes(plugin, fixture('referrals.json'), JSON_TYPE);
    expect(result[2]).toEqual({
      sourceId: 'referral:PPN-2026-000103',
      outcome: 'skipped',
      reason: expect.stringMatching(/about an adult only \(no child\)/),
    });
  });

  it('reads the same referrals from CSV as from JSON', async () => {
    const json = await outcomes(plugin, fixture('referrals.json'), JSON_TYPE);
    const csv = await outcomes(plugin, fixture('referrals.csv'), CSV);
    expect(csv).toEqual(json);
  });

  it('versions the disagreement by the referral, so a later version updates it and leaves the case', async () => {
    const applier = new MemoryApplier();
    const ingest = (body: string) =>
      runIngest({ plugin, body: Readable.from([body]), contentType: JSON_TYPE, applier });
    const first = referral({ version: 1, escalation });
    const later = referral({
      version: 2,
      lastModified: '2026-03-04T10:00:00Z',
      narrative: 'Further incident reported.',
      escalation: { ...escalation, summary: 'Still closed; a second incident since.' },
    });
    expect(await ingest(exportOf(first))).toMatchObject({ created: 1, rejected: [] });
    const result = await outcomes(plugin, exportOf(later), JSON_TYPE);
    expect(result[0]).toMatchObject({
      records: [{ kind: 'case' }, { kind: 'disagreement', sourceVersion: '2' }],
    });
    expect(await ingest(exportOf(later))).toMatchObject({
      created: 0,
      updated: 1,
      unchanged: 0,
      rejected: [],
    });
    expect(await ingest(exportOf(later))).toMatchObject({ updated: 0, unchanged: 1 });
    // Without a version number, the last-modified time versions it.
    const unnumbered = await outcomes(plugin, exportOf(referral({ escalation })), JSON_TYPE);
    expect(unnumbered[0]).toMatchObject({
      records: [{}, { sourceVersion: '2026-03-01T23:10:00Z' }],
    });
  });

  it('rejects a referral naming the field, and goes on with the next', async () => {
    const report = await runIngest({
      plugin,
      body: Readable.from([fixture('referrals-bad.json')]),
      contentType: JSON_TYPE,
      applier: new MemoryApplier(),
    });
    expect(report.rejected).toEqual([
      {
        index: 0,
        sourceId: 'referral:PPN-2026-000201',
        field: 'riskGrading',
        message: 'riskGrading must be High, Medium or Standard',
      },
      {
        index: 1,
        sourceId: 'referral:PPN-2026-000202',
        field: 'child.nhsNumber',
        message: 'NHS number fails its check digit',
      },
      {
        index: 2,
        sourceId: 'referral:PPN-2026-000203',
        field: 'officer.email',
        message: 'officer.email is required when the referral is escalated',
      },
      {
        index: 3,
        sourceId: 'referrals[3]',
        field: 'referralId',
        message: 'referralId is required',
      },
      {
        index: 4,
        sourceId: 'referral:PPN-2026-000205',
        field: 'child.dateOfBirth',
        message: 'child.dateOfBirth must be a calendar date, YYYY-MM-DD',
      },
    ]);
    expect(report).toMatchObject({ received: 6, created: 1 });
  });

  it('rejects values of the wrong kind with a message naming the field', async () => {
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ riskGrading: undefined }, 'riskGrading', 'riskGrading is required'],
      [
        { referredTo: { kind: 'SOCIAL_SERVICES' } },
        'referredTo.kind',
        'referredTo.kind must be one of',
      ],
      [
        { escalation: { ...escalation, ground: 'DISLIKE' } },
        'escalation.ground',
        'escalation.ground must be one of DECISION_CHALLENGE, ACTION_NOT_TAKEN',
      ],
      [
        { escalation: { ...escalation, summary: '  ' } },
        'escalation.summary',
        'escalation.summary must not be empty',
      ],
      [{ child: { personId: 'P-2', name: 42 } }, 'child.name', 'child.name must be text'],
      [
        { child: { personId: 'P-2', name: 'Bo', nhsNumber: '94347659' } },
        'child.nhsNumber',
        'child.nhsNumber must be 10 digits',
      ],
      [
        { referredAt: '2026-03-01 22:40' },
        'referredAt',
        'referredAt must be an ISO-8601 date-time',
      ],
      [
        { officer: { email: 'not an address' }, escalation },
        'officer.email',
        'officer.email must be an email address',
      ],
      [{ version: 0 }, 'version', 'version must be a positive whole number'],
      [{ version: true }, 'version', 'version must be a positive whole number or text'],
      [{ person: undefined }, 'person', 'person is required'],
    ];
    for (const [changes, field, message] of cases) {
      const [result] = await outcomes(plugin, exportOf(referral(changes)), JSON_TYPE);
      expect(result, field).toMatchObject({ outcome: 'rejected', field });
      expect((result as { message: string }).message, field).toContain(message);
    }
    const [notObject] = await outcomes(plugin, exportOf(42), JSON_TYPE);
    expect(notObject).toMatchObject({
      sourceId: 'referrals[0]',
      field: 'referral',
      message: 'referral must be an object',
    });
  });

  it('reads gradings and agency kinds in any case, and nulls as absent', async () => {
    const [result] = await outcomes(
      plugin,
      exportOf(
        referral({
          riskGrading: 'HIGH',
          referredTo: { kind: 'early help', name: null },
          escalation,
          child: { personId: 'P-2', name: 'Bo', nhsNumber: null },
        }),
      ),
      JSON_TYPE,
    );
    expect(result).toMatchObject({
      outcome: 'records',
      records: [
        { involvedAgencies: [{ kind: 'EARLY_HELP' }], child: { identifiers: [{ value: 'P-2' }] } },
        { immediateRisk: true, respondingAgency: { kind: 'EARLY_HELP' } },
      ],
    });
  });

  it('takes its identifier system and immediate-risk gradings from the options', async () => {
    const custom = policePlugin({
      personIdSystem: 'https://force.example/person',
      immediateRiskGradings: ['High', 'Medium'],
    });
    const [result] = await outcomes(custom, exportOf(referral({ escalation })), JSON_TYPE);
    expect(result).toMatchObject({
      records: [
        { child: { identifiers: [{ system: 'https://force.example/person', value: 'P-2' }] } },
        { immediateRisk: true },
      ],
    });
    const [standard] = await outcomes(plugin, exportOf(referral({ escalation })), JSON_TYPE);
    expect(standard).toMatchObject({ records: [{}, { immediateRisk: false }] });
  });
});

describe('police plugin: bodies that cannot be read whole', () => {
  it('yields the referrals before a truncation, then one body problem', async () => {
    const result = await outcomes(plugin, fixture('referrals-truncated.json'), JSON_TYPE);
    expect(kinds(result)).toEqual(['records', 'problem']);
    expect(result[1]).toEqual({
      type: 'problem',
      field: 'body',
      message: expect.stringMatching(/^the body ends after \d+ bytes, in the middle of the JSON/),
    });
  });

  it('yields the referrals before malformed JSON, then one body problem with the position', async () => {
    const result = await outcomes(plugin, fixture('referrals-malformed.json'), JSON_TYPE);
    expect(kinds(result)).toEqual(['records', 'problem']);
    expect(result[1]).toEqual({
      type: 'problem',
      field: 'body',
      message:
        'the body is not valid JSON (near byte 464): Unexpected STRING ("referredAt") in state COMMA',
    });
  });

  it('answers a body of another shape with one body problem', async () => {
    const problem = (message: string | RegExp) => [
      {
        type: 'problem',
        field: 'body',
        message: typeof message === 'string' ? message : expect.stringMatching(message),
      },
    ];
    expect(await outcomes(plugin, fixture('referrals-array.json'), JSON_TYPE)).toEqual(
      problem('the body must be a JSON object with a "referrals" array'),
    );
    expect(await outcomes(plugin, '{"referrals":{"referralId":"PPN-1"}}', JSON_TYPE)).toEqual(
      problem('"referrals" must be an array'),
    );
    expect(await outcomes(plugin, '{"exportedAt":"2026-03-03T06:00:00Z"}', JSON_TYPE)).toEqual(
      problem('the body must be a JSON object with a "referrals" array; it has none'),
    );
    expect(await outcomes(plugin, '', JSON_TYPE)).toEqual(
      problem('the body must be a JSON object with a "referrals" array; it has none'),
    );
    expect(await outcomes(plugin, `${exportOf()} {}`, JSON_TYPE)).toEqual(
      problem(/^the body is not valid JSON \(near byte 15\): Unexpected "\{"/),
    );
    expect(await outcomes(plugin, '{"referrals":[],"referrals":[]}', JSON_TYPE)).toEqual(
      problem('"referrals" is given twice'),
    );
  });

  it('reads the same however the body is split, a byte order mark included', async () => {
    const bytes = fixture('referrals.json');
    const whole = await outcomes(plugin, Readable.from([bytes]), JSON_TYPE);
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes]);
    expect(await outcomes(plugin, bom, JSON_TYPE)).toEqual(whole);
    const byByte = Readable.from([...bom].map((b) => Buffer.from([b])));
    expect(await outcomes(plugin, byByte, JSON_TYPE)).toEqual(whole);
  });

  it('rejects CSV rows naming the column and goes on; a header without required columns reads nothing', async () => {
    const result = await outcomes(plugin, fixture('referrals-bad.csv'), CSV);
    expect(result).toEqual([
      {
        sourceId: 'referral:PPN-2026-000601',
        outcome: 'rejected',
        field: 'riskGrading',
        message: 'riskGrading must be High, Medium or Standard',
      },
      {
        type: 'problem',
        sourceId: 'referral:PPN-2026-000602',
        field: 'person.dateOfBirth',
        message: 'line 3 has 7 values; the header has 22 columns',
      },
      {
        sourceId: 'referral:PPN-2026-000603',
        outcome: 'rejected',
        field: 'child.nhsNumber',
        message: 'NHS number fails its check digit',
      },
      expect.objectContaining({ sourceId: 'referral:PPN-2026-000604', outcome: 'records' }),
    ]);
    expect(await outcomes(plugin, fixture('referrals-missing-columns.csv'), CSV)).toEqual([
      {
        type: 'problem',
        field: 'body',
        message:
          'the header lacks the required columns riskGrading, officer.email, escalation.category, escalation.ground, escalation.summary, escalation.desiredOutcome',
      },
    ]);
    const unclosed = `${fixture('referrals.csv').toString('utf8')}PPN-9,"2026-03-01T23:10:00Z\n`;
    const tail = await outcomes(plugin, unclosed, CSV);
    expect(kinds(tail)).toEqual(['records', 'records', 'skipped', 'problem']);
    expect(tail[3]).toMatchObject({
      field: 'body',
      message: /^the CSV cannot be read further: Quote Not Closed/,
    });
  });
});
