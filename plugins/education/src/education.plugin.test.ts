import { Readable } from 'node:stream';
import { MemoryApplier, runIngest } from '@hub/plugin-sdk';
import { describeConformance } from '@hub/plugin-sdk/testing';
import { describe, expect, it } from 'vitest';
import { educationPlugin } from './education.plugin.js';
import { fixture } from './plugin.test-helpers.js';
import { upnCheckLetter } from './upn.validation.js';

const XML = 'application/xml';
const CSV = 'text/csv';

describeConformance(educationPlugin(), {
  good: [
    {
      name: 'CTF pupils',
      contentType: XML,
      body: fixture('ctf-pupils.xml'),
      expect: { mapped: 3, skipped: 0 },
    },
    {
      name: 'safeguarding log',
      contentType: CSV,
      body: fixture('safeguarding-log.csv'),
      expect: { mapped: 3, skipped: 2 },
    },
  ],
  bad: [
    {
      name: 'CTF with a wrong check letter',
      contentType: XML,
      body: fixture('ctf-bad-check-letter.xml'),
      rejects: [{ field: 'UPN', message: /^UPN fails its check letter$/ }],
    },
    {
      name: 'truncated CTF',
      contentType: 'text/xml',
      body: fixture('ctf-truncated.xml'),
      rejects: [{ field: 'body', message: /not well-formed at line \d+, column \d+/ }],
    },
    {
      name: 'malformed CTF',
      contentType: XML,
      body: fixture('ctf-malformed.xml'),
      rejects: [{ field: 'body', message: /not well-formed at line 12/ }],
    },
    {
      name: 'XML bomb',
      contentType: XML,
      body: fixture('ctf-xml-bomb.xml'),
      rejects: [{ field: 'body', message: /DOCTYPE is not allowed/ }],
    },
    {
      name: 'external entity',
      contentType: XML,
      body: fixture('ctf-external-entity.xml'),
      rejects: [{ field: 'body', message: /DOCTYPE is not allowed/ }],
    },
    {
      name: 'safeguarding log with bad rows',
      contentType: CSV,
      body: fixture('safeguarding-log-bad-rows.csv'),
      rejects: [
        { field: 'upn', message: /check letter/ },
        { field: 'responding_agency_kind', message: /has 9 values; the header has 19 columns/ },
        { field: 'logged_at', message: /ISO-8601/ },
        { field: 'responding_agency_kind', message: /must be one of/ },
      ],
    },
    {
      name: 'safeguarding log without required columns',
      contentType: CSV,
      body: fixture('safeguarding-log-missing-columns.csv'),
      rejects: [{ field: 'body', message: /lacks the required columns staff_email, ground/ }],
    },
    {
      name: 'safeguarding log with a quote never closed',
      contentType: CSV,
      body: fixture('safeguarding-log-unclosed-quote.csv'),
      rejects: [{ field: 'body', message: /Quote Not Closed/ }],
    },
  ],
});

describe('education plugin: a large safeguarding log', () => {
  // The benchmark issue measures throughput and memory; this only shows 100,000 rows stream
  // through the runner with every row accounted for.
  it('streams 100,000 rows through the runner', async () => {
    const rows = 100_000;
    const header = fixture('safeguarding-log.csv').toString('utf8').split('\n', 1)[0]!;
    function* lines(): Generator<string> {
      yield `${header}\n`;
      let chunk = '';
      for (let i = 0; i < rows; i += 1) {
        const body = `380${String(i).padStart(9, '0')}`;
        const upn = `${upnCheckLetter(body)}${body}`;
        // One row in four is a disagreement; the rest are the log's everyday entries.
        chunk +=
          i % 4 === 0
            ? `${upn},Pupil ${i},2015-01-15,INC-${i},2026-02-11T09:00:00Z,Professional disagreement,Referral not accepted,,dsl@school.example,CHILDRENS_SOCIAL_CARE,,LEVELS_OF_NEED,DECISION_CHALLENGE,An assessment,,,,,\n`
            : `${upn},Pupil ${i},2015-01-15,INC-${i},2026-02-11T09:00:00Z,Attendance,Late,,teacher@school.example,,,,,,,,,,\n`;
        if (i % 1000 === 999) {
          yield chunk;
          chunk = '';
        }
      }
      yield chunk;
    }
    const report = await runIngest({
      plugin: educationPlugin(),
      body: Readable.from(lines()),
      contentType: CSV,
      applier: new MemoryApplier(),
    });
    expect(report).toEqual({
      plugin: 'education',
      received: rows,
      created: rows / 4,
      updated: 0,
      unchanged: 0,
      skipped: (rows * 3) / 4,
      rejected: [],
    });
  });
});
