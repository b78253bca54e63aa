/**
 * The DataLoaders read through the kit's `findByKeys` (a statement built once per shape from the
 * entity's metadata) instead of `em.find`. On the demo world, on each database, every lookup the
 * loaders make answers what `em.find` answered: the same entities with the same values, in the
 * same order, managed by the request's EntityManager, and counted under the request's
 * correlation id.
 */
import { findByKeys, type HubDatabase } from '@hub/kit';
import {
  seedDemoEscalations,
  seedDemoHistory,
  seedDemoLearning,
  seedDemoPanels,
  type SubgraphName,
} from '@hub/cli';
import { wrap, type EntityClass, type EntityManager } from '@mikro-orm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from './support/databases.js';
import { startTestHub, type TestHub } from './support/hub.js';

type Order = Record<string, 'asc' | 'desc'>;

/** subgraph, entity, key property, order: the loaders' lookups (subgraphs/*\/src/loaders). */
const LOOKUPS: [SubgraphName, string, string, Order][] = [
  ['cases', 'Board', 'id', {}],
  ['cases', 'Agency', 'id', {}],
  ['cases', 'Agency', 'boardId', { name: 'asc' }],
  ['cases', 'Practitioner', 'id', {}],
  ['cases', 'Case', 'id', {}],
  ['cases', 'ChildSubject', 'id', {}],
  ['cases', 'PanelSeat', 'caseId', {}],
  ['cases', 'CaseAgency', 'caseId', { addedAt: 'asc', agencyId: 'asc' }],
  ['cases', 'ChildIdentifier', 'childId', { system: 'asc', value: 'asc' }],
  ['escalations', 'Escalation', 'id', {}],
  ['escalations', 'Escalation', 'caseId', { raisedAt: 'desc', id: 'desc' }],
  ['escalations', 'EscalationStage', 'escalationId', { number: 'asc' }],
  [
    'escalations',
    'EscalationRecord',
    'escalationId',
    { occurredAt: 'asc', recordedAt: 'asc', sequence: 'asc', id: 'asc' },
  ],
  ['escalations', 'OutstandingIssue', 'escalationId', { createdAt: 'asc', id: 'asc' }],
  ['escalations', 'OutcomeConfirmation', 'escalationId', { confirmedAt: 'asc' }],
  ['escalations', 'AgreedOutcome', 'escalationId', {}],
  ['escalations', 'PanelSeat', 'escalationId', { practitionerId: 'asc' }],
  ['panels', 'ResolutionPanel', 'id', {}],
  ['panels', 'ResolutionPanel', 'escalationId', {}],
  ['panels', 'PanelMember', 'panelId', { chair: 'desc', id: 'asc' }],
  ['panels', 'Representation', 'panelId', { submittedAt: 'asc', id: 'asc' }],
  ['panels', 'PanelDecision', 'panelId', {}],
  ['learning', 'LearningTheme', 'code', {}],
  ['learning', 'EscalationTheme', 'escalationId', { themeCode: 'asc' }],
  ['learning', 'Debrief', 'escalationId', {}],
  ['learning', 'ProtocolAmendment', 'id', {}],
];

/** An entity's values, dates as instants, for comparing two loads of it. */
function values(entity: object): unknown {
  return JSON.parse(JSON.stringify(wrap(entity).toObject()));
}

describe.each(databaseKinds)('findByKeys on %s', (kind) => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub(kind);
    // The whole demo, as `npm start` seeds it: escalations at every point, panels, learning.
    const target = {
      url: t.url,
      adminToken: t.adminToken,
      tokenFor: t.tokenFor,
      setClock: (at: Date | null) => t.clock.set(at),
    };
    const history = await seedDemoHistory(target, t.demo);
    const escalations = await seedDemoEscalations(target, t.demo);
    const panels = await seedDemoPanels(target, t.demo, escalations);
    await seedDemoLearning(target, t.demo, { history, escalations, panels });
  }, 120_000);
  afterAll(() => t?.close());

  const entityOf = (db: HubDatabase, name: string) =>
    db.orm.getMetadata().get(name).class as EntityClass<object>;

  it.each(LOOKUPS)(
    '%s: %s by %s answers what em.find answers, in the same order',
    async (subgraph, name, property, orderBy) => {
      const db = t.db(subgraph);
      const entity = entityOf(db, name);
      const all = await db.orm.em.fork().find(entity, {});
      // Every value the demo has, a key nothing has, and a value repeated in many rows.
      const keys = [
        ...new Set(all.map((row) => (row as Record<string, unknown>)[property])),
        ...(property === 'code' ? ['NO_SUCH_CODE'] : ['00000000-0000-4000-8000-000000000000']),
      ];
      expect(all.length, `the demo has ${name} rows`).toBeGreaterThan(0);
      const expected = await db.orm.em
        .fork()
        .find(entity, { [property]: { $in: keys } }, { orderBy: orderBy as never });
      const em = db.orm.em.fork() as EntityManager;
      const found = await findByKeys(em, entity, property as never, keys, orderBy as never);
      expect(found.map(values)).toEqual(expected.map(values));
      expect(found.every((row) => row instanceof entity)).toBe(true);
      // Managed by the fork: the identity map returns the same object for the same row.
      const again = await findByKeys(em, entity, property as never, keys, orderBy as never);
      expect(again.every((row, i) => row === found[i])).toBe(true);
    },
  );

  it('a change to what it loaded is flushed, as to what em.find loads', async () => {
    const db = t.db('cases');
    const agency = entityOf(db, 'Agency');
    const em = db.orm.em.fork();
    const [first] = await em.find(agency, {}, { limit: 1 });
    const id = (first as { id: string }).id;
    const fresh = db.orm.em.fork();
    const [loaded] = (await findByKeys(fresh, agency, 'id' as never, [id])) as { name: string }[];
    loaded!.name = `${loaded!.name} (renamed)`;
    await fresh.flush();
    const reread = (await db.orm.em.fork().findOne(agency, { id } as never)) as { name: string };
    expect(reread.name).toBe(loaded!.name);
  });

  it("counts its statement under the request's correlation id", async () => {
    const db = t.db('cases');
    const em = db.orm.em.fork({ loggerContext: { correlationId: 'find-by-keys-count' } });
    await findByKeys(em, entityOf(db, 'Board'), 'id' as never, [
      '00000000-0000-4000-8000-000000000000',
    ]);
    expect(db.queries.countForRequest('find-by-keys-count')).toBe(1);
  });
});
