import { Readable } from 'node:stream';
import { MemoryApplier, runIngest } from '@hub/plugin-sdk';
import { outcomes } from '@hub/plugin-sdk/testing';
import { describe, expect, it } from 'vitest';
import { educationPlugin } from './education.plugin.js';
import { UPN_SYSTEM } from './identifier-systems.js';
import { fixture } from './plugin.test-helpers.js';
import { REQUIRED_COLUMNS } from './safeguarding-log.reader.js';

const plugin = educationPlugin();
const CSV = 'text/csv';
const HEADER = fixture('safeguarding-log.csv').toString('utf8').split('\n', 1)[0]!;

describe('education plugin: safeguarding log', () => {
  it('maps a disagreement to a case and a disagreement, and a follow-up to an escalation record', async () => {
    const result = await outcomes(plugin, fixture('safeguarding-log.csv'), CSV);
    expect(result.map((r) => ('outcome' in r ? r.outcome : r.type))).toEqual([
      'skipped',
      'records',
      'records',
      'skipped',
      'records',
    ]);
    expect(result[0]).toMatchObject({
      sourceId: 'incident:INC-1001',
      reason: /disagreements only/,
    });
    expect(result[1]).toEqual({
      sourceId: 'incident:INC-1002',
      outcome: 'records',
      records: [
        {
          kind: 'case',
          sourceId: 'upn:H801200001001/case',
          sourceVersion: expect.stringMatching(/^sha256:/),
          child: {
            name: 'Ellie Marsh',
            dateOfBirth: '2015-03-01',
            identifiers: [{ system: UPN_SYSTEM, value: 'H801200001001' }],
          },
          planType: 'CHILD_IN_NEED',
          involvedAgencies: [],
        },
        {
          kind: 'disagreement',
          sourceId: 'incident:INC-1002',
          sourceVersion: expect.stringMatching(/^sha256:/),
          caseSourceId: 'upn:H801200001001/case',
          raisedBy: { email: 'dsl@meadowbank.sch.example' },
          respondingAgency: {
            kind: 'CHILDRENS_SOCIAL_CARE',
            name: "Northshire Children's Services",
          },
          category: 'LEVELS_OF_NEED',
          ground: 'DECISION_CHALLENGE',
          summary:
            "Referral to children's social care closed with no further action, despite three welfare concerns this half-term\n\nActions taken: Asked for a strategy discussion; no reply yet",
          desiredOutcome: "A child and family assessment that weighs the school's concerns",
          immediateRisk: false,
          occurredAt: '2026-02-10T14:05:00Z',
        },
      ],
    });
    expect(result[2]).toEqual({
      sourceId: 'incident:INC-1003',
      outcome: 'records',
      records: [
        {
          kind: 'escalation-record',
          sourceId: 'incident:INC-1003',
          sourceVersion: expect.stringMatching(/^sha256:/),
          disagreementSourceId: 'incident:INC-1002',
          author: { email: 'dsl@meadowbank.sch.example' },
          recordKind: 'DISCUSSION',
          text: 'Called the duty team manager: the referral will be reviewed by Friday',
          occurredAt: '2026-02-12T11:30:00Z',
        },
      ],
    });
  });

  it('reads enumerations written in words, a yes/no flag, and the version column', async () => {
    const result = await outcomes(plugin, fixture('safeguarding-log.csv'), CSV);
    expect(result[4]).toMatchObject({
      records: [
        { kind: 'case', planType: 'NONE', child: { name: "Tomás O'Connor" } },
        {
          kind: 'disagreement',
          sourceVersion: '3',
          respondingAgency: { kind: 'POLICE' },
          category: 'INFORMATION_SHARING',
          ground: 'ACTION_NOT_TAKEN',
          immediateRisk: true,
          summary:
            'Police attended a domestic incident at home; the school was not told until a week later',
        },
      ],
    });
    expect(result[4]).not.toHaveProperty('records.1.respondingAgency.name');
  });

  it('gives every disagreement about one pupil the same case record', async () => {
    const second = `${HEADER}\nH801200001001,Ellie Marsh,2015-03-01,INC-1010,2026-03-10T09:00:00Z,Professional disagreement,Another refusal,,head@meadowbank.sch.example,EARLY_HELP,,NEED_FOR_ACTION,ACTION_NOT_TAKEN,A plan,,CHILD_IN_NEED,,,\n`;
    const [first] = (await outcomes(plugin, fixture('safeguarding-log.csv'), CSV)).slice(1);
    const [again] = await outcomes(plugin, second, CSV);
    expect(again).toMatchObject({ records: [{ kind: 'case' }, { kind: 'disagreement' }] });
    const caseOf = (o: typeof first) => (o && 'records' in o ? o.records[0] : undefined);
    expect(caseOf(again)).toEqual(caseOf(first));
    expect(caseOf(again)).toBeDefined();
  });

  it('applies through the runner: created once, unchanged on a second run', async () => {
    const applier = new MemoryApplier();
    const run = () =>
      runIngest({
        plugin,
        body: Readable.from([fixture('safeguarding-log.csv')]),
        contentType: 'text/csv; charset=utf-8',
        applier,
      });
    expect(await run()).toEqual({
      plugin: 'education',
      received: 5,
      created: 3,
      updated: 0,
      unchanged: 0,
      skipped: 2,
      rejected: [],
    });
    expect(await run()).toMatchObject({
      received: 5,
      created: 0,
      updated: 0,
      unchanged: 3,
      skipped: 2,
    });
  });

  it('rejects a bad row naming its column and goes on', async () => {
    const applier = new MemoryApplier();
    const report = await runIngest({
      plugin,
      body: Readable.from([fixture('safeguarding-log-bad-rows.csv')]),
      contentType: CSV,
      applier,
    });
    expect(report.rejected).toEqual([
      {
        index: 0,
        sourceId: 'incident:INC-2001',
        field: 'upn',
        message: 'UPN fails its check letter',
      },
      {
        index: 1,
        sourceId: 'incident:INC-2002',
        field: 'responding_agency_kind',
        message: 'line 3 has 9 values; the header has 19 columns',
      },
      {
        index: 2,
        sourceId: 'incident:INC-2003',
        field: 'logged_at',
        message:
          'logged_at must be an ISO-8601 date-time with an offset, e.g. 2026-03-02T14:05:00Z',
      },
      {
        index: 3,
        sourceId: 'incident:INC-2004',
        field: 'responding_agency_kind',
        message: expect.stringMatching(/^responding_agency_kind must be one of POLICE, HEALTH, /),
      },
    ]);
    expect(report).toMatchObject({ received: 5, created: 1 });
  });

  it('rejects a row with more values than the header, naming the first extra column', async () => {
    const result = await outcomes(plugin, `${HEADER}\n${'x,'.repeat(19)}x\n`, CSV);
    expect(result).toEqual([
      {
        type: 'problem',
        field: 'column 20',
        message: 'line 2 has 20 values; the header has 19 columns',
        sourceId: 'incident:x',
      },
    ]);
  });

  it('reports a header without required columns as one body problem and reads nothing', async () => {
    const result = await outcomes(plugin, fixture('safeguarding-log-missing-columns.csv'), CSV);
    expect(result).toEqual([
      {
        type: 'problem',
        field: 'body',
        message: 'the header lacks the required columns staff_email, ground',
      },
    ]);
  });

  it('yields the rows before CSV that cannot be read, then one body problem with the line', async () => {
    const result = await outcomes(plugin, fixture('safeguarding-log-unclosed-quote.csv'), CSV);
    expect(result).toHaveLength(2);
    expect(result[0]).toMatchObject({ sourceId: 'incident:INC-3001', outcome: 'records' });
    expect(result[1]).toEqual({
      type: 'problem',
      field: 'body',
      message: expect.stringMatching(
        /^the CSV cannot be read further: Quote Not Closed: .* at line 3$/,
      ),
    });
  });

  it('reads headers in any case and order, and ignores columns it does not know', async () => {
    const columns = [...REQUIRED_COLUMNS].reverse();
    const values: Record<string, string> = {
      upn: 'N380209326102',
      pupil_name: 'Sam Hughes',
      incident_id: 'INC-5',
      logged_at: '2026-02-11T09:00:00Z',
      categories: 'PROFESSIONAL DISAGREEMENT',
      summary: 'Referral not accepted',
      staff_email: 'dsl@meadowbank.sch.example',
      responding_agency_kind: 'health',
      disagreement_category: 'COMMUNICATION',
      ground: 'DECISION_CHALLENGE',
      desired_outcome: 'A review',
    };
    const body = `Year Group,${columns.map((c) => c.toUpperCase().replace('_', ' ')).join(',')}\n6,${columns.map((c) => values[c]).join(',')}\n`;
    const [row] = await outcomes(plugin, body, CSV);
    expect(row).toMatchObject({
      outcome: 'records',
      records: [
        { kind: 'case', child: { name: 'Sam Hughes' } },
        { kind: 'disagreement', respondingAgency: { kind: 'HEALTH' } },
      ],
    });
  });

  it('marks disagreements by the category the options name', async () => {
    const custom = educationPlugin({ disagreementCategory: 'Escalation' });
    const row = `${HEADER}\nN380209326102,Sam Hughes,,INC-6,2026-02-11T09:00:00Z,escalation,Referral not accepted,,dsl@meadowbank.sch.example,HEALTH,,COMMUNICATION,DECISION_CHALLENGE,A review,,,,,\n`;
    expect(await outcomes(custom, row, CSV)).toMatchObject([{ outcome: 'records' }]);
    expect(await outcomes(plugin, row, CSV)).toMatchObject([{ outcome: 'skipped' }]);
  });
});
