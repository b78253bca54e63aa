import { describe, expect, it } from 'vitest';
import { IngestUsageError, parseIngestArgs } from './ingest.args.js';

describe('bench ingest arguments', () => {
  it('takes the defaults: both feeds at 10,000 and 100,000 records, results in bench/RESULTS.md', () => {
    const args = parseIngestArgs(['--dataset-dir', 'data'], '/work');
    expect(args).toMatchObject({
      datasetDir: '/work/data',
      sizes: [10_000, 100_000],
      feeds: ['health', 'education'],
      seed: 1,
      resend: false,
      keep: false,
    });
    expect(args.resultsFile).toMatch(/bench\/RESULTS\.md$/);
    expect(
      parseIngestArgs(
        ['--dataset-dir', 'd', '--records', '500,20', '--feeds', 'education', '--no-results'],
        '/w',
      ),
    ).toMatchObject({ sizes: [20, 500], feeds: ['education'], resultsFile: null });
    expect(parseIngestArgs(['--dataset-dir', 'd', '--resend'], '/w').resend).toBe(true);
  });

  it.each([
    [[], /--dataset-dir is required/],
    [['--dataset-dir'], /--dataset-dir needs a value/],
    [['--dataset-dir', 'd', '--records', '10k'], /--records must be a whole number/],
    [['--dataset-dir', 'd', '--records', '0'], /--records must be a whole number from 1/],
    [['--dataset-dir', 'd', '--feeds', 'police'], /--feeds takes health, education; not police/],
    [['--dataset-dir', 'd', '--seed', '-1'], /--seed must be a whole number/],
    [['--dataset-dir', 'd', '--results', 'r.md', '--no-results'], /contradict/],
    [['--database-url', 'postgres://x/y'], /--database-url is not taken/],
    [['--dataset-dir', 'd', '--size', 'S'], /unknown option --size/],
  ])('refuses %j, naming the option', (argv, message) => {
    expect(() => parseIngestArgs(argv as string[])).toThrow(IngestUsageError);
    expect(() => parseIngestArgs(argv as string[])).toThrow(message);
  });
});
