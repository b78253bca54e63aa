import { describe, expect, it } from 'vitest';
import { reportMarkdown, type FeedRun } from './ingest.report.js';

function run(again: boolean, created: number, unchanged: number): FeedRun {
  return {
    size: 1000,
    feed: 'health',
    again,
    generated: {
      file: '/tmp/health-1000.json',
      contentType: 'application/fhir+json',
      records: 1000,
      bytes: 1048576,
      kinds: { Patient: 1000 },
    },
    generateSeconds: 0.1,
    agency: 'Northbridge Community Health Services',
    report: {
      plugin: 'health',
      received: 1000,
      created,
      updated: 0,
      unchanged,
      skipped: 0,
      rejected: [],
    },
    seconds: again ? 0.5 : 2,
    hubCpuPercent: 100,
    clientCpuPercent: 1,
    peakRssMiB: again ? 250 : 260,
    samples: [{ ms: 0, rssMiB: 200 }],
    busyAfterSeconds: 0,
  };
}

describe('the ingest report', () => {
  it('names a feed sent again as a row of its own, and describes the file once', () => {
    const markdown = reportMarkdown([run(false, 1000, 0), run(true, 0, 1000)], {
      title: '## Ingest',
      context: [],
    });
    expect(markdown).toContain('| 1,000 | health | 1.0 | 2.0 | 500 | 1,000 (500/s) |');
    expect(markdown).toContain(
      '| 1,000 | health, sent again | 1.0 | 0.5 | 2,000 | 0 | 0 | 1,000 (2,000/s) |',
    );
    expect(markdown).toContain(
      'Peak RSS by file size: health: 260 MiB at 1,000 records; health, sent again: 250 MiB at 1,000 records.',
    );
    expect(markdown.match(/^- 1,000 health: FHIR R4 Bundle/gm)).toHaveLength(1);
  });
});
