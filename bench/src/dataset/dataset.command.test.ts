import { describe, expect, it } from 'vitest';
import { parseDatasetArgs } from './dataset.command.js';

describe('bench dataset command line', () => {
  it('names the option at fault', () => {
    const fails = (args: string[]) => () => parseDatasetArgs(args);
    expect(fails(['--data-dir', 'd'])).toThrow('--size is required');
    expect(fails(['--size', 'XL', '--data-dir', 'd'])).toThrow('--size must be S, M or L, not XL');
    expect(fails(['--size', 'S'])).toThrow('--data-dir is required with --target sqlite');
    expect(fails(['--size', 'S', '--target', 'postgres'])).toThrow('--database-url is required');
    expect(fails(['--size', 'S', '--target', 'mysql'])).toThrow(
      '--target must be sqlite or postgres',
    );
    expect(fails(['--size', 'S', '--data-dir', 'd', '--seed', '1.5'])).toThrow('--seed must be');
    expect(fails(['--size', 'S', '--data-dir', 'd', '--events', '--no-events'])).toThrow(
      '--events and --no-events contradict each other',
    );
    expect(fails(['--size', 'S', '--data-dir', 'd', '--fast'])).toThrow('unknown option --fast');
    expect(fails(['--size'])).toThrow('--size needs a value');
  });

  it('puts each subgraph where the hub looks, with events and audit by size unless told', () => {
    const sqlite = parseDatasetArgs(['--size', 'S', '--data-dir', '/tmp/x', '--no-audit']);
    expect(sqlite.targets.learning).toEqual({ kind: 'sqlite', file: '/tmp/x/learning.sqlite' });
    expect(sqlite.spec).toMatchObject({
      escalations: 1000,
      boards: 3,
      seed: 1,
      events: true,
      audit: false,
    });

    const url = 'postgres://postgres@127.0.0.1:5432/bench_l';
    const large = parseDatasetArgs([
      '--size',
      'L',
      '--seed',
      '7',
      '--target',
      'postgres',
      '--database-url',
      url,
    ]);
    expect(large.targets.cases).toEqual({ kind: 'postgres', url, schema: 'cases' });
    expect(large.spec).toMatchObject({
      escalations: 1_000_000,
      boards: 30,
      seed: 7,
      events: false,
      audit: false,
    });
    expect(large.verify).toBe(false);

    expect(parseDatasetArgs(['--verify-only', '--data-dir', '/tmp/x'])).toMatchObject({
      spec: null,
      verify: true,
    });
  });
});
