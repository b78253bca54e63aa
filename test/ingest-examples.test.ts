import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './support/hub.js';
import { postIngest } from './support/ingest.js';

/**
 * The README's ingest tour sends each reference plugin's Northbridge example to the demo board
 * with that agency's integration account: every record applies (or is skipped as documented),
 * and a second run changes nothing.
 */
const EXAMPLES = [
  {
    plugin: 'police',
    account: 'policeReferrals',
    file: 'plugins/police/examples/northbridge-referrals.json',
    contentType: 'application/json',
    first: { received: 2, created: 1, skipped: 1 },
  },
  {
    plugin: 'health',
    account: 'healthIntegration',
    file: 'plugins/health/examples/northbridge-cpis.json',
    contentType: 'application/fhir+json',
    first: { received: 3, created: 2, skipped: 1 },
  },
  {
    plugin: 'education',
    account: 'schoolMis',
    file: 'plugins/education/examples/northbridge-safeguarding-log.csv',
    contentType: 'text/csv',
    first: { received: 2, created: 1, skipped: 1 },
  },
] as const;

describe('the reference plugins’ Northbridge examples on the demo board', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub('sqlite');
  });
  afterAll(() => t?.close());

  it.each(EXAMPLES)('$plugin: applies once, then is unchanged', async (example) => {
    const send = async () =>
      postIngest(t.url, example.plugin, {
        token: await t.tokenOf(example.account),
        contentType: example.contentType,
        body: readFileSync(new URL(`../${example.file}`, import.meta.url)),
      });
    const first = await send();
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({ ...example.first, updated: 0, unchanged: 0, rejected: [] });
    const again = await send();
    expect(again.body).toMatchObject({
      received: example.first.received,
      created: 0,
      updated: 0,
      unchanged: example.first.received - example.first.skipped,
      rejected: [],
    });
  });

  it('raises the police example’s escalation on behalf of the officer, who sees it', async () => {
    const response = await t.gql(
      await t.tokenOf('police'),
      /* GraphQL */ `
        {
          escalations(first: 20) {
            edges {
              node {
                summary
                raisedBy {
                  name
                }
                case {
                  sourceRecords {
                    plugin
                    sourceId
                  }
                }
              }
            }
          }
        }
      `,
    );
    expect(response.errors).toBeUndefined();
    const ingested = response.data!.escalations.edges.find(
      (edge: any) => edge.node.case.sourceRecords.length > 0,
    );
    expect(ingested?.node).toMatchObject({
      raisedBy: { name: 'PC Sam Okafor' },
      case: {
        sourceRecords: [{ plugin: 'police', sourceId: 'referral:NBP-PPN-2026-004211/case' }],
      },
    });
  });
});
