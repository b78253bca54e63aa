import { seedDemoEscalations } from '@hub/cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './support/hub.js';

/** What `npm start` shows a newcomer: the demo board with escalations at every point. */
describe('the demo data', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub('sqlite');
  });
  afterAll(() => t?.close());

  it('has escalations at each stage, resolved, closed and withdrawn', async () => {
    const ids = await seedDemoEscalations(
      { url: t.url, adminToken: t.adminToken, tokenFor: t.tokenFor },
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
                status
                currentStage {
                  number
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
    const byId = new Map(response.data!.escalations.edges.map((e: any) => [e.node.id, e.node]));
    expect(response.data!.escalations.totalCount).toBe(7);
    expect(byId.get(ids.atStage1)).toMatchObject({ status: 'OPEN', currentStage: { number: 1 } });
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
  });
});
