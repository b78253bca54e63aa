import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { newInternalSecret, secretKey } from '@hub/kit';
import type { PendingRecord } from '@hub/plugin-sdk';
import { AgencyKind, DisagreementCategory, PlanType, type CanonicalRecord } from '@hub/schema';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bodyLimitBytes, HubApplier, SubgraphApplyError } from './hub.applier.js';
import { startApplyStandIn, type ApplyStandIn } from './ingest.test-helpers.js';

const actorKey = secretKey(newInternalSecret());
const practitionerId = randomUUID();
const meta = { correlationId: 'ingest-test-1', ip: '192.0.2.7' };

function caseRecord(sourceId: string, summary = ''): CanonicalRecord {
  return {
    kind: 'case',
    sourceId,
    sourceVersion: '1',
    child: { name: `Child ${sourceId}${summary}`, identifiers: [] },
    planType: PlanType.CHILD_IN_NEED,
    involvedAgencies: [],
  };
}

function disagreement(
  sourceId: string,
  caseSourceId: string,
  summary = 'A summary',
): CanonicalRecord {
  return {
    kind: 'disagreement',
    sourceId,
    sourceVersion: '1',
    caseSourceId,
    raisedBy: { email: 'raiser@example.org' },
    respondingAgency: { kind: AgencyKind.CHILDRENS_SOCIAL_CARE },
    category: DisagreementCategory.LEVELS_OF_NEED,
    ground: 'DECISION_CHALLENGE',
    summary,
    desiredOutcome: 'A strategy discussion',
    immediateRisk: false,
    occurredAt: '2026-03-02T16:15:00Z',
  };
}

const pending = (index: number, record: CanonicalRecord): PendingRecord => ({
  index,
  plugin: 'police',
  record,
});

describe('HubApplier', () => {
  let cases: ApplyStandIn;
  let escalations: ApplyStandIn;
  const applier = (options: { bodyLimit?: string; timeoutMs?: number } = {}) =>
    new HubApplier({
      subgraphUrls: { cases: cases.url, escalations: escalations.url },
      actorKey,
      practitionerId,
      meta,
      bodyLimit: options.bodyLimit ?? '100kb',
      timeoutMs: options.timeoutMs,
    });

  beforeAll(async () => {
    cases = await startApplyStandIn(actorKey);
    escalations = await startApplyStandIn(actorKey);
  });
  afterAll(async () => {
    await cases.close();
    await escalations.close();
  });
  beforeEach(() => {
    for (const standIn of [cases, escalations]) {
      standIn.calls.length = 0;
      standIn.answer = (call) => ({
        status: 200,
        body: { outcomes: call.records.map(() => ({ status: 'created' })) },
      });
    }
  });

  it('sends the cases part first, then the escalations part, and answers in the batch order', async () => {
    const order: string[] = [];
    cases.answer = (call) => {
      order.push('cases');
      return {
        status: 200,
        body: {
          outcomes: call.records.map((r) => ({
            status: r.record.sourceId === 'c2' ? 'unchanged' : 'created',
          })),
        },
      };
    };
    escalations.answer = (call) => {
      order.push('escalations');
      return { status: 200, body: { outcomes: call.records.map(() => ({ status: 'updated' })) } };
    };
    const outcomes = await applier().apply([
      pending(0, caseRecord('c1')),
      pending(0, disagreement('d1', 'c1')),
      pending(1, caseRecord('c2')),
      pending(2, {
        kind: 'child',
        sourceId: 'p1',
        sourceVersion: '1',
        child: { name: 'A B', identifiers: [] },
      }),
    ]);
    expect(order).toEqual(['cases', 'escalations']);
    expect(cases.calls[0]!.records.map((r) => [r.index, r.record.sourceId])).toEqual([
      [0, 'c1'],
      [1, 'c2'],
      [2, 'p1'],
    ]);
    expect(escalations.calls[0]!.records.map((r) => r.record.sourceId)).toEqual(['d1']);
    expect(outcomes.map((o) => o.status)).toEqual(['created', 'updated', 'unchanged', 'created']);
  });

  it("signs each call as the gateway, naming the integration account and the request's correlation id", async () => {
    await applier().apply([pending(0, caseRecord('c1'))]);
    const [call] = cases.calls;
    expect(call!.actor).toMatchObject({ kind: 'service', id: 'gateway' });
    expect(call!.meta).toEqual(meta);
    expect(call!.practitionerId).toBe(practitionerId);
    expect(call!.records[0]!.plugin).toBe('police');
    expect(escalations.calls).toHaveLength(0);
  });

  it('does not send a disagreement whose case the cases subgraph rejected in the same batch', async () => {
    cases.answer = (call) => ({
      status: 200,
      body: {
        outcomes: call.records.map((r) =>
          r.record.sourceId === 'c1'
            ? { status: 'rejected', field: 'child', message: 'confirm this child' }
            : { status: 'created' },
        ),
      },
    });
    const outcomes = await applier().apply([
      pending(0, caseRecord('c1')),
      pending(0, disagreement('d1', 'c1')),
      pending(1, caseRecord('c2')),
      pending(1, disagreement('d2', 'c2')),
    ]);
    expect(escalations.calls[0]!.records.map((r) => r.record.sourceId)).toEqual(['d2']);
    expect(outcomes).toEqual([
      { status: 'rejected', field: 'child', message: 'confirm this child' },
      { status: 'rejected', field: 'child', message: 'confirm this child' },
      { status: 'created' },
      { status: 'created' },
    ]);
  });

  it("splits a part into calls within the subgraphs' body limit, in order", async () => {
    const long = 'x'.repeat(3000);
    const batch = Array.from({ length: 60 }, (_, i) => pending(i, caseRecord(`c${i}`, long)));
    const outcomes = await applier({ bodyLimit: '100kb' }).apply(batch);
    expect(cases.calls.length).toBeGreaterThan(1);
    for (const call of cases.calls) expect(call.bytes).toBeLessThanOrEqual(100 * 1024);
    expect(cases.calls.flatMap((call) => call.records.map((r) => r.index))).toEqual(
      batch.map((p) => p.index),
    );
    expect(outcomes).toHaveLength(60);
  });

  it('sends at most 500 records in one call', async () => {
    const batch = Array.from({ length: 501 }, (_, i) => pending(i, caseRecord(`c${i}`)));
    await applier({ bodyLimit: '10mb' }).apply(batch);
    expect(cases.calls.map((call) => call.records.length)).toEqual([500, 1]);
  });

  it('rejects a record no call could carry, and sends the rest', async () => {
    const outcomes = await applier({ bodyLimit: '2kb' }).apply([
      pending(0, disagreement('d1', 'c1', 'y'.repeat(3000))),
      pending(1, disagreement('d2', 'c1')),
    ]);
    expect(outcomes[0]).toMatchObject({ status: 'rejected', field: 'record' });
    expect((outcomes[0] as { message: string }).message).toContain('HUB_BODY_LIMIT');
    expect(outcomes[1]).toEqual({ status: 'created' });
    expect(escalations.calls[0]!.records.map((r) => r.record.sourceId)).toEqual(['d2']);
  });

  it("refuses with 403 and the subgraph's reason when it no longer accepts the account", async () => {
    escalations.answer = () => ({
      status: 403,
      body: { error: 'the integration account is deactivated' },
    });
    const error = await applier()
      .apply([pending(0, caseRecord('c1')), pending(0, disagreement('d1', 'c1'))])
      .catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(SubgraphApplyError);
    expect(error).toMatchObject({
      status: 403,
      subgraph: 'escalations',
      message: 'the integration account is deactivated',
    });
    // The cases part had been applied: that stays, and a retry is idempotent.
    expect(cases.calls).toHaveLength(1);
  });

  it('answers 502 when a subgraph fails, 500 when it refuses the request, 502 for a wrong answer', async () => {
    cases.answer = () => ({ status: 500, body: { error: 'none of it was written' } });
    await expect(applier().apply([pending(0, caseRecord('c1'))])).rejects.toMatchObject({
      status: 502,
      subgraph: 'cases',
    });
    cases.answer = () => ({ status: 400, body: { error: 'records.0.record.kind: invalid' } });
    await expect(applier().apply([pending(0, caseRecord('c1'))])).rejects.toMatchObject({
      status: 500,
      detail: expect.stringContaining('records.0.record.kind'),
    });
    cases.answer = () => ({ status: 200, body: { outcomes: [] } });
    await expect(applier().apply([pending(0, caseRecord('c1'))])).rejects.toMatchObject({
      status: 502,
      message: expect.stringContaining('1 outcomes'),
    });
  });

  it('answers 503 when a subgraph does not answer in time or cannot be reached', async () => {
    cases.answer = () => 'hang';
    await expect(
      applier({ timeoutMs: 200 }).apply([pending(0, caseRecord('c1'))]),
    ).rejects.toMatchObject({ status: 503, message: expect.stringContaining('did not answer') });

    // A port nobody listens on.
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const unreachable = new HubApplier({
      subgraphUrls: { cases: `http://127.0.0.1:${port}/graphql`, escalations: escalations.url },
      actorKey,
      practitionerId,
      meta,
      bodyLimit: '100kb',
    });
    await expect(unreachable.apply([pending(0, caseRecord('c1'))])).rejects.toMatchObject({
      status: 503,
      message: 'the cases subgraph could not be reached',
    });
  });
});

describe('bodyLimitBytes', () => {
  it('reads HUB_BODY_LIMIT as body-parser does', () => {
    expect(bodyLimitBytes('100kb')).toBe(102_400);
    expect(bodyLimitBytes('1mb')).toBe(1_048_576);
    expect(bodyLimitBytes('512B')).toBe(512);
    expect(() => bodyLimitBytes('1gb')).toThrow(/not a body limit/);
  });
});
