import { randomUUID } from 'node:crypto';
import {
  createLogger,
  KIT_ENTITIES,
  kitMigration,
  openDatabase,
  type HubContext,
  type HubDatabase,
} from '@hub/kit';
import { AgencyKind } from '@hub/schema';
import type { SqlEntityManager } from '@mikro-orm/knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds, freshTarget } from '../../../../test/support/databases.js';
import * as entities from '../entities/index.js';
import { PanelStatus } from '../enums.js';
import { panelsMigrations } from '../migrations/index.js';
import { createPanelsLoaders } from './panels.loaders.js';

describe.each(databaseKinds)('panels loaders on %s', (kind) => {
  const fresh = freshTarget(kind, 'panels');
  let db: HubDatabase;
  const panels = [randomUUID(), randomUUID(), randomUUID()];
  const escalations = panels.map(() => randomUUID());

  beforeAll(async () => {
    db = await openDatabase({
      target: fresh.target,
      entities: [...KIT_ENTITIES, ...Object.values(entities)],
      migrations: [kitMigration, ...panelsMigrations],
      log: createLogger('test', 'silent'),
    });
    const em = db.orm.em.fork();
    panels.forEach((id, i) => {
      em.create(entities.ResolutionPanel, {
        id,
        escalationId: escalations[i],
        boardId: randomUUID(),
        caseId: randomUUID(),
        stageNumber: 4,
        raisingAgencyId: randomUUID(),
        raisingAgencyKind: AgencyKind.POLICE,
        respondingAgencyId: randomUUID(),
        respondingAgencyKind: AgencyKind.HEALTH,
        status: PanelStatus.CONVENED,
        convenedById: randomUUID(),
        convenedAt: new Date(),
        compositionNotes: [],
      });
    });
    await em.flush();
    // The first two panels have members; the third has none.
    for (const panelId of panels.slice(0, 2)) {
      for (const chair of [false, true]) {
        em.create(entities.PanelMember, {
          panelId,
          practitionerId: randomUUID(),
          agencyId: randomUUID(),
          chair,
        });
      }
    }
    await em.flush();
  });
  afterAll(async () => {
    await db?.close();
    await fresh.dispose();
  });

  /** Loaders over a request's EntityManager, and the SQL statements that request sent. */
  function recordingLoaders() {
    const correlationId = randomUUID();
    const em = db.orm.em.fork({ loggerContext: { correlationId } }) as SqlEntityManager;
    const ctx = { em, audit: async () => undefined } as unknown as HubContext;
    return {
      loaders: createPanelsLoaders(ctx),
      statements: () => db.queries.forRequest(correlationId),
    };
  }

  it('loads panels by id in one batch, in the keys order, null for a missing key', async () => {
    const { loaders, statements } = recordingLoaders();
    const missing = randomUUID();
    const keys = [panels[2], missing, panels[0], 'not-a-uuid'];
    const found = await Promise.all(keys.map((key) => loaders.panel.load(key)));
    expect(found.map((panel) => panel?.id ?? null)).toEqual([panels[2], null, panels[0], null]);
    // One statement for the batch, for the three ids; the malformed key never reaches it.
    expect(statements()).toHaveLength(1);
    expect(statements()[0]).toMatch(/from .resolution_panel. where .id. in \(\?, \?, \?\)$/);
  });

  it('loads members of many panels in one batch, the chair first, [] for a panel without', async () => {
    const { loaders, statements } = recordingLoaders();
    const groups = await Promise.all([
      loaders.members.load(panels[1]),
      loaders.members.load(panels[2]),
      loaders.members.load(panels[0]),
    ]);
    expect(groups.map((members) => members.map((m) => m.chair))).toEqual([
      [true, false],
      [],
      [true, false],
    ]);
    expect(groups[0].every((m) => m.panelId === panels[1])).toBe(true);
    expect(statements()).toHaveLength(1);
    expect(statements()[0]).toMatch(
      /from .panel_member. where .panel_id. in \(\?, \?, \?\) order by/,
    );
  });

  it('finds panels by escalation in one batch', async () => {
    const { loaders, statements } = recordingLoaders();
    const found = await Promise.all(
      [escalations[1], escalations[0]].map((id) => loaders.panelByEscalation.load(id)),
    );
    expect(found.map((panel) => panel?.id)).toEqual([panels[1], panels[0]]);
    expect(statements()).toHaveLength(1);
  });
});
