import {
  seedDemoEscalations,
  seedDemoHistory,
  seedDemoLearning,
  seedDemoPanels,
  type DemoEscalations,
  type DemoHistory,
  type DemoLearning,
  type DemoPanels,
} from '@hub/cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './support/hub.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * What `npm start` shows a newcomer: the demo board with six months of past escalations,
 * escalations at every point today, panels, and what the board learned (seeded as the start
 * command seeds it).
 */
describe('the demo data', () => {
  let t: TestHub;
  let history: DemoHistory;
  let ids: DemoEscalations;
  let panels: DemoPanels;
  let learning: DemoLearning;
  beforeAll(async () => {
    t = await startTestHub('sqlite');
    const target = {
      url: t.url,
      adminToken: t.adminToken,
      tokenFor: t.tokenFor,
      setClock: (at: Date | null) => t.clock.set(at),
    };
    history = await seedDemoHistory(target, t.demo);
    ids = await seedDemoEscalations(target, t.demo);
    panels = await seedDemoPanels(target, t.demo, ids);
    learning = await seedDemoLearning(target, t.demo, { history, escalations: ids, panels });
  });
  afterAll(() => t?.close());

  it('has escalations at each stage, resolved, closed, withdrawn and overdue', async () => {
    const response = await t.gql(
      await t.tokenOf('boardManager'),
      /* GraphQL */ `
        {
          escalations(first: 50) {
            totalCount
            edges {
              node {
                id
                reference
                status
                raisedAt
                currentStage {
                  number
                  overdue
                }
                outcome {
                  confirmedByAllParties
                }
              }
            }
          }
        }
      `,
    );
    expect(response.errors).toBeUndefined();
    const byId = new Map(response.data!.escalations.edges.map((e: any) => [e.node.id, e.node]));
    // Twenty in the past, eight today, and the one the decided panel resolved.
    expect(response.data!.escalations.totalCount).toBe(29);
    expect(byId.get(ids.overdue)).toMatchObject({
      status: 'OPEN',
      currentStage: { number: 1, overdue: true },
    });
    expect(byId.get(ids.atStage1)).toMatchObject({
      status: 'OPEN',
      currentStage: { number: 1, overdue: false },
    });
    expect(byId.get(ids.atStage2)).toMatchObject({ status: 'OPEN', currentStage: { number: 2 } });
    expect(byId.get(ids.atStage3)).toMatchObject({ status: 'OPEN', currentStage: { number: 3 } });
    expect(byId.get(ids.atPanel)).toMatchObject({ status: 'OPEN', currentStage: { number: 4 } });
    expect(byId.get(ids.resolved)).toMatchObject({
      status: 'RESOLVED',
      outcome: { confirmedByAllParties: false },
    });
    expect(byId.get(ids.closed)).toMatchObject({
      status: 'CLOSED',
      outcome: { confirmedByAllParties: true },
    });
    expect(byId.get(ids.withdrawn)).toMatchObject({ status: 'WITHDRAWN', currentStage: null });

    // Raised two weeks ago, after the past ones, before today's; the rest happened now: the
    // seeding set the hub's clock back to the real time.
    const overdue = byId.get(ids.overdue) as any;
    expect(Date.now() - new Date(overdue.raisedAt).getTime()).toBeGreaterThan(13 * DAY_MS);
    expect(Date.now() - new Date((byId.get(ids.atStage1) as any).raisedAt).getTime()).toBeLessThan(
      60_000,
    );
    // References follow the order the escalations were raised in (by year, then number).
    const nodes = response.data!.escalations.edges.map((e: any) => e.node);
    const byRaising = [...nodes].sort(
      (a: any, b: any) => Date.parse(a.raisedAt) - Date.parse(b.raisedAt),
    );
    const referenceOrder = (reference: string) => {
      const [, year, number] = reference.split('-');
      return Number(year) * 1e7 + Number(number);
    };
    expect(byRaising.map((node: any) => node.id)).toEqual(
      [...nodes]
        .sort((a: any, b: any) => referenceOrder(a.reference) - referenceOrder(b.reference))
        .map((node: any) => node.id),
    );
    expect(byRaising.findIndex((node: any) => node.id === ids.overdue)).toBe(20);
  });

  it("shows one escalation to the README's overdue filter", async () => {
    const response = await t.gql(
      await t.tokenOf('boardManager'),
      /* GraphQL */ `
        query ($board: ID!) {
          escalations(filter: { boardId: $board, overdue: true }, first: 20) {
            totalCount
            edges {
              node {
                summary
                records {
                  kind
                }
              }
            }
          }
        }
      `,
      { board: t.demo.boardId },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data!.escalations.totalCount).toBe(1);
    expect(response.data!.escalations.edges[0].node).toMatchObject({
      summary: expect.stringMatching(/incident/),
      records: [{ kind: 'CONCERN_RAISED' }, { kind: 'NOTE' }],
    });
  });

  it('has a practitioner who has left: in the directory, deactivated', async () => {
    const leaver = t.demo.people.cscLeaver;
    expect(leaver.active).toBe(false);
    const response = await t.gql(
      t.adminToken,
      /* GraphQL */ `
        query ($id: ID!) {
          practitioner(id: $id) {
            name
            active
          }
        }
      `,
      { id: leaver.id },
    );
    expect(response.data!.practitioner).toEqual({ name: leaver.name, active: false });
    const refused = await t.gql(await t.tokenOf('cscLeaver'), '{ me { id } }');
    expect(refused.status).toBe(401);
  });

  it('has six months of past escalations, every one ended weeks ago', async () => {
    const response = await t.gql(
      await t.tokenOf('boardManager'),
      /* GraphQL */ `
        query ($board: ID!) {
          escalations(filter: { boardId: $board }, first: 50) {
            edges {
              node {
                id
                status
                raisedAt
                currentStage {
                  number
                }
                stages {
                  number
                }
              }
            }
          }
        }
      `,
      { board: t.demo.boardId },
    );
    expect(response.errors).toBeUndefined();
    const past = new Set(history.escalations.map((e) => e.id));
    expect(past.size).toBe(20);
    const nodes = response
      .data!.escalations.edges.map((e: any) => e.node)
      .filter((node: any) => past.has(node.id));
    expect(nodes).toHaveLength(20);
    const ages = nodes.map((node: any) => (Date.now() - Date.parse(node.raisedAt)) / DAY_MS);
    expect(Math.max(...ages)).toBeGreaterThan(150);
    expect(Math.min(...ages)).toBeGreaterThan(14);
    const statuses = nodes.map((node: any) => node.status);
    expect(statuses).not.toContain('OPEN');
    expect(statuses.filter((s: string) => s === 'CLOSED').length).toBeGreaterThan(15);
    expect(statuses).toContain('RESOLVED');
    expect(statuses).toContain('WITHDRAWN');
    // A few went to line managers and to senior managers before an outcome was agreed.
    const highest = nodes.map((node: any) => Math.max(...node.stages.map((s: any) => s.number)));
    expect(highest.filter((n: number) => n === 2).length).toBeGreaterThanOrEqual(3);
    expect(highest.filter((n: number) => n === 3).length).toBeGreaterThanOrEqual(2);
  });

  it("shows the analyst's first query figures, some of them suppressed", async () => {
    const response = await t.gql(
      await t.tokenOf('analyst'),
      /* GraphQL */ `
        query ($board: ID!) {
          escalationStats(filter: { boardId: $board }) {
            total
            disclosureThreshold
            byCategory {
              key
              count
              suppressed
            }
            byMonth {
              key
              count
              suppressed
            }
            byRaisingAgencyKind {
              key
              count
              suppressed
            }
            byTheme {
              key
              count
              suppressed
            }
            stagesWithinTimescaleRate
            medianWorkingDaysToOutcome
          }
        }
      `,
      { board: t.demo.boardId },
    );
    expect(response.errors).toBeUndefined();
    const stats = response.data!.escalationStats;
    expect(stats.total).toBe(29);
    expect(stats.disclosureThreshold).toBe(5);
    const buckets = [
      ...stats.byCategory,
      ...stats.byMonth,
      ...stats.byRaisingAgencyKind,
      ...stats.byTheme,
    ];
    expect(buckets.filter((b: any) => !b.suppressed && b.count >= 5).length).toBeGreaterThan(5);
    expect(buckets.filter((b: any) => b.suppressed && b.count === null).length).toBeGreaterThan(3);
    for (const breakdown of [stats.byCategory, stats.byRaisingAgencyKind, stats.byTheme]) {
      expect(breakdown.some((b: any) => b.suppressed)).toBe(true);
      expect(breakdown.some((b: any) => !b.suppressed && b.count > 0)).toBe(true);
    }
    expect(stats.byMonth.length).toBeGreaterThanOrEqual(6);
    expect(stats.stagesWithinTimescaleRate).toBeGreaterThan(0.5);
    expect(stats.stagesWithinTimescaleRate).toBeLessThan(1);
    expect(stats.medianWorkingDaysToOutcome).toBeGreaterThanOrEqual(1);
  });

  it('has tags, a debrief of the closed escalation and protocol amendments', async () => {
    expect(Object.keys(learning.tagged).length).toBeGreaterThan(20);
    const seen = await t.gql(
      await t.tokenOf('health'),
      /* GraphQL */ `
        query ($id: ID!) {
          escalation(id: $id) {
            status
            themes {
              code
            }
            debrief {
              id
              lessons
              attendees {
                name
              }
            }
          }
        }
      `,
      { id: ids.closed },
    );
    expect(seen.errors).toBeUndefined();
    const closed = seen.data!.escalation;
    expect(closed.status).toBe('CLOSED');
    expect(closed.themes.map((theme: any) => theme.code).sort()).toEqual([
      'INFORMATION_SHARING',
      'RECORD_KEEPING',
    ]);
    expect(closed.debrief.id).toBe(learning.debrief);
    expect(closed.debrief.lessons.length).toBeGreaterThanOrEqual(2);
    expect(closed.debrief.attendees.map((a: any) => a.name)).toEqual(
      expect.arrayContaining([t.demo.people.health!.name, t.demo.people.schoolDsl!.name]),
    );

    const amendments = await t.gql(
      await t.tokenOf('analyst'),
      /* GraphQL */ `
        query ($board: ID!) {
          protocolAmendments(boardId: $board) {
            id
            status
            evidenceCount
            implementedAt
            themes {
              code
            }
          }
        }
      `,
      { board: t.demo.boardId },
    );
    expect(amendments.errors).toBeUndefined();
    const byId = new Map<string, any>(
      amendments.data!.protocolAmendments.map((a: any) => [a.id, a]),
    );
    expect(byId.size).toBe(2);
    expect(byId.get(learning.implementedAmendment)).toMatchObject({
      status: 'IMPLEMENTED',
      implementedAt: expect.any(String),
    });
    expect(byId.get(learning.implementedAmendment).evidenceCount).toBeGreaterThanOrEqual(5);
    expect(byId.get(learning.proposedAmendment)).toMatchObject({
      status: 'PROPOSED',
      themes: [{ code: 'THRESHOLDS' }],
    });
  });
});
