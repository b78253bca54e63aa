import 'reflect-metadata';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHub, type RunningHub } from '@hub/cli';
import {
  createActorLoader,
  createTokenVerifier,
  loadOrCreateEmbeddedKey,
  mintToken,
  type EmbeddedKey,
} from '@hub/gateway';
import {
  createLogger,
  newInternalSecret,
  secretKey,
  verifyActor,
  type Actor,
  type DatabaseTarget,
} from '@hub/kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../dataset/dataset.load.js';
import { sizeSpec } from '../dataset/dataset.spec.js';
import { SUBGRAPHS, type SubgraphName } from '../dataset/tables.js';
import { actorHeaderSigner } from './actor.signer.js';
import { HIVE_ENV } from './hive-gateway.env.js';
import { runLoad } from './load.runner.js';
import { recordPlans, type RecordedOperation } from './plan.recorder.js';
import { countStatements } from './statements.command.js';
import {
  workloadOperations,
  type Operation,
  type WorkloadSubjects,
} from './workload.operations.js';
import { countDataset, pickSubjects } from './workload.subjects.js';

/**
 * The harness on a small generated dataset and the real hub in this process: the subjects it
 * picks, the query plans it records through the hub's gateway, the direct requests replayed
 * from them, and Hive Gateway's header signing.
 */
describe('the workload on a small dataset', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-workload-'));
  const targets = Object.fromEntries(
    SUBGRAPHS.map((name) => [name, { kind: 'sqlite', file: join(dir, `${name}.sqlite`) }]),
  ) as Record<SubgraphName, DatabaseTarget>;
  let hub: RunningHub;
  let key: EmbeddedKey;
  let internalSecret: string;
  let subjects: WorkloadSubjects;
  let operations: Operation[];
  let plans: Map<Operation['name'], RecordedOperation>;
  const actors: Record<string, Actor> = {};
  const subgraphUrls = () =>
    Object.fromEntries(SUBGRAPHS.map((name) => [name, hub.subgraphs[name].url])) as Record<
      SubgraphName,
      string
    >;

  beforeAll(async () => {
    const log = createLogger('test', 'silent');
    await loadDataset({ ...sizeSpec('S'), escalations: 300, boards: 2, years: 2 }, targets, log);
    key = await loadOrCreateEmbeddedKey(join(dir, 'key'));
    internalSecret = newInternalSecret();
    hub = await startHub({
      targets,
      ports: { gateway: 0, cases: 0, escalations: 0, panels: 0, learning: 0 },
      internalSecret,
      verifier: await createTokenVerifier({}, key),
      supergraphSdl: readFileSync(
        new URL('../../../schema/supergraph.graphql', import.meta.url),
        'utf8',
      ),
      log,
      bodyLimit: '1mb',
      maxDepth: 10,
      maxCost: 5000,
    });
    subjects = await pickSubjects(targets);
    operations = workloadOperations(subjects);
    const loadActor = createActorLoader({
      casesUrl: hub.subgraphs.cases.url,
      actorKey: secretKey(internalSecret),
    });
    for (const { practitionerId } of operations) {
      actors[practitionerId] = (await loadActor(
        { subject: practitionerId, admin: false },
        { correlationId: 'test', ip: null },
      ))!;
    }
    plans = await recordPlans(
      {
        supergraphSdl: readFileSync(
          new URL('../../../schema/supergraph.graphql', import.meta.url),
          'utf8',
        ),
        subgraphUrls: subgraphUrls(),
        internalSecret,
        key,
        tokenFor: (id) => mintToken(key, { subject: id }),
      },
      operations,
    );
  }, 120_000);

  afterAll(async () => {
    await hub?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts the dataset and picks users who see full pages', async () => {
    expect(await countDataset(targets)).toEqual({ escalations: 300, boards: 2 });
    expect(subjects.casePage.escalations).toBeGreaterThan(0);
    expect(subjects.escalationList.visible).toBeGreaterThanOrEqual(50);
    expect(subjects.overdueList.overdue).toBeGreaterThan(0);
    expect(actors[subjects.overdueList.managerId]!.roles).toContain('BOARD_MANAGER');
    expect(actors[subjects.casePage.practitionerId]!.roles).not.toContain('ANALYST');
  });

  it("records each operation's subgraph requests through the hub's gateway, with checked answers", () => {
    const list = plans.get('escalation-list')!;
    expect(list.data.escalations?.edges).toHaveLength(50);
    expect(list.calls.map((call) => call.subgraph)).toEqual(['escalations', 'cases']);
    expect(list.calls[1]!.body).toContain('_entities');
    const page = plans.get('case-page')!;
    expect(page.data.case?.escalations).toHaveLength(subjects.casePage.escalations);
    expect(new Set(page.calls.map((call) => call.subgraph))).toEqual(
      new Set(['cases', 'escalations', 'panels', 'learning']),
    );
    expect(plans.get('overdue-list')!.data.escalations?.totalCount).toBe(
      subjects.overdueList.overdue,
    );
  });

  it('refuses to record an operation whose answer is not what the subjects promise', async () => {
    const wrong = { ...operations[0]!, check: () => 'not the page expected' };
    await expect(
      recordPlans(
        {
          supergraphSdl: readFileSync(
            new URL('../../../schema/supergraph.graphql', import.meta.url),
            'utf8',
          ),
          subgraphUrls: subgraphUrls(),
          internalSecret,
          key,
          tokenFor: (id) => mintToken(key, { subject: id }),
        },
        [wrong],
      ),
    ).rejects.toThrow(/case-page: not the page expected/);
  });

  it('replays the recorded requests straight to the subgraphs under load, each signed afresh, without errors', async () => {
    const sign = actorHeaderSigner(internalSecret);
    const list = plans.get('escalation-list')!;
    const actor = actors[subjects.escalationList.practitionerId]!;
    for (const call of list.calls) {
      const result = await runLoad(
        {
          url: call.url,
          body: call.body,
          headers: (nonce) => ({ 'x-hub-actor': sign(actor, nonce), 'x-correlation-id': nonce }),
        },
        { connections: 2, durationSeconds: 1, noncePrefix: 'test' },
      );
      expect(result.requests).toBeGreaterThan(0);
      expect(result.errors, result.firstError ?? '').toBe(0);
    }
  });

  it("gives Hive Gateway's subgraph requests the benchmark user's signed actor and the client's correlation id", async () => {
    process.env[HIVE_ENV.subgraphUrls] = JSON.stringify(subgraphUrls());
    process.env[HIVE_ENV.internalSecret] = internalSecret;
    process.env[HIVE_ENV.actors] = JSON.stringify(actors);
    const { gatewayConfig } = await import('./hive-gateway.config.js');
    expect(gatewayConfig.transportEntries).toEqual(
      Object.fromEntries(SUBGRAPHS.map((name) => [name, { location: hub.subgraphs[name].url }])),
    );
    const id = subjects.escalationList.practitionerId;
    const headers = gatewayConfig.propagateHeaders.fromClientToSubgraphs({
      request: new Request('http://hive/graphql', {
        headers: {
          authorization: `Bearer ${await mintToken(key, { subject: id })}`,
          'x-correlation-id': 'wl-1-escalation-list-hive-9',
        },
      }),
    });
    expect(headers['x-correlation-id']).toBe('wl-1-escalation-list-hive-9');
    const verified = await verifyActor(secretKey(internalSecret), headers['x-hub-actor']);
    expect(verified.actor).toEqual(actors[id]);
    expect(verified.meta.correlationId).toBe('wl-1-escalation-list-hive-9');
    // A stranger's token gets no actor, so the subgraph refuses it.
    const stranger = gatewayConfig.propagateHeaders.fromClientToSubgraphs({
      request: new Request('http://hive/graphql', {
        headers: { authorization: `Bearer ${await mintToken(key, { subject: 'nobody' })}` },
      }),
    });
    expect(stranger['x-hub-actor']).toBeUndefined();
    expect(stranger['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('counts as many SQL statements for a list of 100 as for 5, and shows 500 refused', async () => {
    const counts = await countStatements(targets);
    for (const operation of ['escalation-list', 'overdue-list'] as const) {
      const of = counts.filter((c) => c.operation === operation);
      expect(of.map((c) => c.size)).toEqual([5, 50, 100, 500]);
      const [five, fifty, hundred, refused] = of;
      expect(five!.total).toBeGreaterThan(2);
      expect(fifty!.total).toBe(five!.total);
      expect(hundred!.total).toBe(five!.total);
      expect(refused!.items).toMatch(/first/);
    }
    expect(counts.find((c) => c.operation === 'escalation-list' && c.size === 100)!.items).toBe(
      100,
    );
    const page = counts.find((c) => c.operation === 'case-page')!;
    expect(page.items).toBe(subjects.casePage.escalations);
    expect(page.perSubgraph.cases).toBeGreaterThan(0);
    expect(page.perSubgraph.escalations).toBeGreaterThan(0);
  }, 60_000);
});
