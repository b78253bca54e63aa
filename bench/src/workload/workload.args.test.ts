import { describe, expect, it } from 'vitest';
import { parseWorkloadArgs } from './workload.args.js';

describe('parseWorkloadArgs', () => {
  it('takes a SQLite dataset with the issue defaults: embedded, 50 connections, 30 s, 3 runs, every target', () => {
    const args = parseWorkloadArgs(['--dataset-dir', 'data/s', '--no-results'], '/tmp');
    expect(args).toMatchObject({
      data: { kind: 'sqlite', dir: '/tmp/data/s' },
      topology: 'embedded',
      connections: 50,
      durationSeconds: 30,
      warmupSeconds: 5,
      runs: 3,
      targets: ['ours', 'hive', 'direct'],
      operations: ['case-page', 'escalation-list', 'overdue-list'],
      resultsFile: null,
    });
  });

  it('takes the five-process topology on PostgreSQL, some targets and operations', () => {
    const args = parseWorkloadArgs([
      '--database-url',
      'postgres://postgres@127.0.0.1:5432/bench',
      '--topology',
      'five',
      '--only',
      'direct,ours',
      '--operations',
      'overdue-list',
      '--duration',
      '5',
      '--results',
      '/tmp/results.md',
    ]);
    expect(args).toMatchObject({
      data: { kind: 'postgres', url: 'postgres://postgres@127.0.0.1:5432/bench' },
      topology: 'five',
      targets: ['ours', 'direct'],
      operations: ['overdue-list'],
      durationSeconds: 5,
      resultsFile: '/tmp/results.md',
    });
  });

  it.each([
    [[], /--dataset-dir or --database-url is required/],
    [['--dataset-dir', 'a', '--database-url', 'postgres://x/y'], /give one/],
    [['--database-url', 'mysql://x/y'], /--database-url must be a postgres:\/\/ URL/],
    [['--dataset-dir', 'a', '--topology', 'five'], /--topology five runs on PostgreSQL/],
    [
      ['--dataset-dir', 'a', '--topology', 'three'],
      /--topology must be embedded or five, not three/,
    ],
    [['--dataset-dir', 'a', '--connections', '0'], /--connections must be a whole number from 1/],
    [['--dataset-dir', 'a', '--duration', '2.5'], /--duration must be a whole number/],
    [
      ['--dataset-dir', 'a', '--only', 'ours,apollo'],
      /--only takes ours, hive, direct; not apollo/,
    ],
    [['--dataset-dir', 'a', '--operations', 'home'], /--operations takes case-page/],
    [['--dataset-dir', 'a', '--runs'], /--runs needs a value/],
    [['--dataset-dir', 'a', '--runs', '2', '--runs', '3'], /--runs is given twice/],
    [['--dataset-dir', 'a', '--nats-url', 'http://x'], /--nats-url must be a nats:\/\/ URL/],
    [['--dataset-dir', 'a', '--verbose'], /unknown option --verbose/],
    [['--dataset-dir', 'a', '--results', 'r.md', '--no-results'], /contradict/],
  ])('refuses %j naming the option', (args, message) => {
    expect(() => parseWorkloadArgs(args)).toThrow(message);
  });
});
