import { Readable } from 'node:stream';
import { MemoryApplier, runIngest } from '@hub/plugin-sdk';
import { describeConformance } from '@hub/plugin-sdk/testing';
import { describe, expect, it } from 'vitest';
import { policePlugin } from './police.plugin.js';
import { fixture } from './plugin.test-helpers.js';

const JSON_TYPE = 'application/json';
const CSV = 'text/csv';

describeConformance(policePlugin(), {
  good: [
    {
      name: 'JSON referrals',
      contentType: JSON_TYPE,
      body: fixture('referrals.json'),
      expect: { mapped: 2, skipped: 1 },
    },
    {
      name: 'CSV referrals',
      contentType: CSV,
      body: fixture('referrals.csv'),
      expect: { mapped: 2, skipped: 1 },
    },
  ],
  bad: [
    {
      name: 'JSON referrals with bad fields',
      contentType: JSON_TYPE,
      body: fixture('referrals-bad.json'),
      rejects: [
        { field: 'riskGrading', message: /must be High, Medium or Standard/ },
        { field: 'child.nhsNumber', message: /^NHS number fails its check digit$/ },
        { field: 'officer.email', message: /required when the referral is escalated/ },
        { field: 'referralId', message: /is required/ },
        { field: 'child.dateOfBirth', message: /calendar date/ },
      ],
    },
    {
      name: 'truncated JSON',
      contentType: JSON_TYPE,
      body: fixture('referrals-truncated.json'),
      rejects: [{ field: 'body', message: /in the middle of the JSON/ }],
    },
    {
      name: 'malformed JSON',
      contentType: JSON_TYPE,
      body: fixture('referrals-malformed.json'),
      rejects: [{ field: 'body', message: /not valid JSON \(near byte \d+\)/ }],
    },
    {
      name: 'a bare array',
      contentType: JSON_TYPE,
      body: fixture('referrals-array.json'),
      rejects: [{ field: 'body', message: /a JSON object with a "referrals" array/ }],
    },
    {
      name: 'CSV referrals with bad rows',
      contentType: CSV,
      body: fixture('referrals-bad.csv'),
      rejects: [
        { field: 'riskGrading' },
        { field: 'person.dateOfBirth', message: /has 7 values; the header has 22 columns/ },
        { field: 'child.nhsNumber', message: /check digit/ },
      ],
    },
    {
      name: 'CSV without required columns',
      contentType: CSV,
      body: fixture('referrals-missing-columns.csv'),
      rejects: [{ field: 'body', message: /lacks the required columns riskGrading/ }],
    },
  ],
});

describe('police plugin: large exports', () => {
  // Every tenth referral is about an adult only (skipped); every fifth is escalated.
  const fields = (i: number) => {
    const adult = i % 10 === 9;
    const escalated = i % 5 === 0;
    return {
      referralId: `PPN-${i}`,
      lastModified: '2026-03-01T23:10:00Z',
      referredAt: '2026-03-01T22:40:00Z',
      riskGrading: ['High', 'Medium', 'Standard'][i % 3]!,
      person: { personId: `P-${i}`, name: `Person ${i}` },
      child: adult
        ? undefined
        : { personId: `C-${i}`, name: `Child ${i}`, dateOfBirth: '2015-05-05' },
      officer: { email: `pc.${i % 50}@police.example` },
      referredTo: { kind: 'CHILDRENS_SOCIAL_CARE' },
      escalation:
        escalated && !adult
          ? {
              category: 'LEVELS_OF_NEED',
              ground: 'DECISION_CHALLENGE',
              summary: 'Closed.',
              desiredOutcome: 'A review.',
            }
          : undefined,
    };
  };
  const expected = (rows: number) => ({
    plugin: 'police',
    received: rows,
    created: rows - rows / 10,
    updated: 0,
    unchanged: 0,
    skipped: rows / 10,
    rejected: [],
  });

  /** A body of `rows` referrals in chunks of a thousand, made as the runner reads it. */
  function* chunks(
    rows: number,
    head: string,
    line: (i: number) => string,
    tail: string,
  ): Generator<string> {
    yield head;
    for (let start = 0; start < rows; start += 1000) {
      let chunk = '';
      for (let i = start; i < start + 1000; i += 1) chunk += line(i);
      yield chunk;
    }
    yield tail;
  }

  // The benchmark issue measures throughput and memory; these show that referrals stream through
  // the runner with every one accounted for.
  it('streams a 100,000-row CSV through the runner', async () => {
    const header =
      'referralId,lastModified,referredAt,riskGrading,person.personId,person.name,child.personId,child.name,child.dateOfBirth,officer.email,referredTo.kind,escalation.category,escalation.ground,escalation.summary,escalation.desiredOutcome\n';
    const line = (i: number) => {
      const r = fields(i);
      return (
        [
          r.referralId,
          r.lastModified,
          r.referredAt,
          r.riskGrading,
          r.person.personId,
          r.person.name,
          r.child?.personId,
          r.child?.name,
          r.child?.dateOfBirth,
          r.officer.email,
          r.referredTo.kind,
          r.escalation?.category,
          r.escalation?.ground,
          r.escalation?.summary,
          r.escalation?.desiredOutcome,
        ]
          .map((value) => value ?? '')
          .join(',') + '\n'
      );
    };
    const report = await runIngest({
      plugin: policePlugin(),
      body: Readable.from(chunks(100_000, header, line, '')),
      contentType: CSV,
      applier: new MemoryApplier(),
    });
    expect(report).toEqual(expected(100_000));
  });

  // 20,000 keeps the suite quick; the benchmark reads 100,000 (the CSV test above shows the count).
  it('streams a 20,000-referral JSON export through the runner', async () => {
    const line = (i: number) => `${i === 0 ? '' : ','}${JSON.stringify(fields(i))}\n`;
    const report = await runIngest({
      plugin: policePlugin(),
      body: Readable.from(
        chunks(20_000, '{"exportedAt":"2026-03-03T06:00:00Z","referrals":[\n', line, ']}\n'),
      ),
      contentType: JSON_TYPE,
      applier: new MemoryApplier(),
    });
    expect(report).toEqual(expected(20_000));
  });
});
