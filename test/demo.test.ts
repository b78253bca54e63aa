import { seedDemoEscalations } from '@hub/cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './support/hub.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** What `npm start` shows a newcomer: the demo board with escalations at every point. */
describe('the demo data', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub('sqlite');
  });
  afterAll(() => t?.close());

  it('has escalations at each stage, resolved, closed, withdrawn and overdue', async () => {
    const ids = await seedDemoEscalations(
      {
        url: t.url,
        adminToken: t.adminToken,
        tokenFor: t.tokenFor,
        setClock: (at) => t.clock.set(at),
      },
      t.demo,
    );
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
    expect(response.data!.escalations.totalCount).toBe(8);
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

    // Raised two weeks ago, first, so its reference is the board's first; the rest happened now:
    // the seeding set the hub's clock back to the real time.
    const overdue = byId.get(ids.overdue) as any;
    expect(Date.now() - new Date(overdue.raisedAt).getTime()).toBeGreaterThan(13 * DAY_MS);
    expect(overdue.reference).toMatch(/-000001$/);
    expect(Date.now() - new Date((byId.get(ids.atStage1) as any).raisedAt).getTime()).toBeLessThan(
      60_000,
    );
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
});
