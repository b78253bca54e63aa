import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { MemoryApplier, runIngest } from '@hub/plugin-sdk';
import { describeConformance } from '@hub/plugin-sdk/testing';
import { expect, it } from 'vitest';
import { youthJusticePlugin } from './youth-justice.plugin.js';

const fixture = (file: string) => readFileSync(new URL(`./fixtures/${file}`, import.meta.url));
const contentType = 'application/x-ndjson';

describeConformance(youthJusticePlugin(), {
  good: [
    {
      name: 'cases and concerns',
      contentType,
      body: fixture('good.jsonl'),
      expect: { mapped: 4, skipped: 1 },
    },
  ],
  bad: [
    {
      name: 'broken rows',
      contentType,
      body: fixture('bad.jsonl'),
      rejects: [
        { field: 'plan', message: /CP, CIN, EH, LAC/ },
        { field: 'updatedAt' },
        { field: 'line 3', message: /JSON/ },
        { field: 'records[0].child.dateOfBirth', message: /YYYY-MM-DD/ },
        { field: 'caseSourceId' },
        { field: 'records[0].raisedBy.email' },
      ],
    },
  ],
});

it('maps a case row to a case with the person id as an identifier', async () => {
  const applier = new MemoryApplier();
  const plugin = youthJusticePlugin({ identifierSystem: 'urn:example:yjs' });

  await runIngest({ plugin, body: Readable.from(fixture('good.jsonl')), contentType, applier });

  expect(applier.get('youth-justice', 'case', 'YJ-1042')).toMatchObject({
    sourceVersion: '2027-03-01T09:12:00Z',
    child: {
      name: 'Jordan Fictional',
      dateOfBirth: '2011-06-14',
      identifiers: [{ system: 'urn:example:yjs', value: 'P-88213' }],
    },
    planType: 'CHILD_IN_NEED',
  });
});
