import { canonicalRecordSchema, type CanonicalRecord } from '@hub/schema';
import { describe, expect, it } from 'vitest';
import { MemoryApplier } from './memory-applier.js';
import type { PendingRecord } from './report.js';

function pending(plugin: string, input: unknown, index = 0): PendingRecord {
  return { index, plugin, record: canonicalRecordSchema.parse(input) };
}

const caseRecord = (sourceId: string, sourceVersion = '1') => ({
  kind: 'case',
  sourceId,
  sourceVersion,
  child: { name: 'Ada Example' },
  planType: 'CHILD_IN_NEED',
});

const disagreement = (sourceId: string, caseSourceId: string) => ({
  kind: 'disagreement',
  sourceId,
  sourceVersion: '1',
  caseSourceId,
  raisedBy: { email: 'sam@example.org' },
  respondingAgency: { kind: 'CHILDRENS_SOCIAL_CARE' },
  category: 'LEVELS_OF_NEED',
  ground: 'DECISION_CHALLENGE',
  summary: 'Threshold not met in our view.',
  desiredOutcome: 'Strategy discussion.',
  occurredAt: '2027-03-01T10:00:00Z',
});

const entry = (sourceId: string, disagreementSourceId: string) => ({
  kind: 'escalation-record',
  sourceId,
  sourceVersion: '1',
  disagreementSourceId,
  author: { email: 'sam@example.org' },
  recordKind: 'DISCUSSION',
  text: 'Spoke with the duty manager.',
  occurredAt: '2027-03-02T10:00:00Z',
});

describe('MemoryApplier', () => {
  it('creates, then answers unchanged for the same version and updated for another', async () => {
    const applier = new MemoryApplier();

    const outcomes = [
      ...(await applier.apply([pending('yj', caseRecord('c1'))])),
      ...(await applier.apply([pending('yj', caseRecord('c1'))])),
      ...(await applier.apply([pending('yj', caseRecord('c1', '2'))])),
    ];

    expect(outcomes.map((outcome) => outcome.status)).toEqual(['created', 'unchanged', 'updated']);
    expect(applier.get('yj', 'case', 'c1')?.sourceVersion).toBe('2');
    expect(applier.size).toBe(1);
  });

  it('keys records by plugin and kind as well as source id', async () => {
    const applier = new MemoryApplier();

    const outcomes = await applier.apply([
      pending('yj', caseRecord('same')),
      pending('police', caseRecord('same')),
      pending('yj', {
        kind: 'child',
        sourceId: 'same',
        sourceVersion: '1',
        child: { name: 'Ada' },
      }),
    ]);

    expect(outcomes.map((outcome) => outcome.status)).toEqual(['created', 'created', 'created']);
    expect(applier.size).toBe(3);
  });

  it('accepts references to records applied earlier in the batch or in an earlier batch', async () => {
    const applier = new MemoryApplier();
    await applier.apply([pending('yj', caseRecord('c1'))]);

    const outcomes = await applier.apply([
      pending('yj', disagreement('d1', 'c1')),
      pending('yj', entry('e1', 'd1')),
    ]);

    expect(outcomes).toEqual([{ status: 'created' }, { status: 'created' }]);
  });

  it('rejects a disagreement about an unknown case and an entry about an unknown disagreement', async () => {
    const applier = new MemoryApplier();
    await applier.apply([pending('police', caseRecord('c1'))]);

    const outcomes = await applier.apply([
      // The case exists, but another plugin ingested it.
      pending('yj', disagreement('d1', 'c1')),
      pending('yj', entry('e1', 'd1')),
    ]);

    expect(outcomes).toEqual([
      {
        status: 'rejected',
        field: 'caseSourceId',
        message: 'no case with sourceId "c1" has been ingested through plugin "yj"',
      },
      {
        status: 'rejected',
        field: 'disagreementSourceId',
        message: 'no disagreement with sourceId "d1" has been ingested through plugin "yj"',
      },
    ]);
    expect(applier.get('yj', 'disagreement', 'd1')).toBeUndefined();
  });

  it('rejects a record that fails its schema with the canonical field path', async () => {
    const applier = new MemoryApplier();
    const record = { ...caseRecord('c1'), planType: 'SOMETHING' } as unknown as CanonicalRecord;

    const outcomes = await applier.apply([{ index: 0, plugin: 'yj', record }]);

    expect(outcomes).toEqual([
      { status: 'rejected', field: 'planType', message: expect.stringMatching(/CHILD_PROTECTION/) },
    ]);
  });

  it('keeps every batch it was given', async () => {
    const applier = new MemoryApplier();
    await applier.apply([pending('yj', caseRecord('c1')), pending('yj', caseRecord('c2'), 1)]);
    await applier.apply([pending('yj', caseRecord('c3'), 2)]);

    expect(applier.batches.map((batch) => batch.map((p) => p.index))).toEqual([[0, 1], [2]]);
  });
});
