import { describe, expect, it } from 'vitest';
import {
  combineCalls,
  markdownTable,
  median,
  summarise,
  turnOrder,
  type TargetRun,
} from './workload.report.js';

function run(
  requestsPerSecond: number,
  p50: number,
  cpu: number,
  rss = 100,
  errors = 0,
): TargetRun {
  return {
    load: {
      requests: requestsPerSecond * 10,
      seconds: 10,
      requestsPerSecond,
      p50,
      p95: p50 * 2,
      p99: p50 * 3,
      errors,
    },
    usage: [{ name: 'hub', cpuPercent: cpu, peakRssMiB: rss }],
  };
}

describe('median', () => {
  it('takes the middle value, or the mean of the middle two', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});

describe('turnOrder', () => {
  it('starts each run with the next target, so that none is always measured first', () => {
    const targets = ['ours', 'hive', 'direct'] as const;
    expect([1, 2, 3, 4].map((run) => turnOrder(targets, run))).toEqual([
      ['ours', 'hive', 'direct'],
      ['hive', 'direct', 'ours'],
      ['direct', 'ours', 'hive'],
      ['ours', 'hive', 'direct'],
    ]);
    expect(turnOrder(['ours'], 2)).toEqual(['ours']);
    expect(targets).toEqual(['ours', 'hive', 'direct']);
  });
});

describe('combineCalls', () => {
  it("adds up the plan's requests: time per operation, latencies, errors; CPU weighted by time", () => {
    // 100 req/s (10 ms each) once, and 50 req/s (20 ms each) twice: 50 ms per operation.
    const combined = combineCalls([
      { times: 1, run: run(100, 5, 100, 200, 1) },
      { times: 2, run: run(50, 10, 200, 300, 2) },
    ]);
    expect(combined.load.requestsPerSecond).toBeCloseTo(20);
    expect(combined.load.p50).toBe(5 + 2 * 10);
    expect(combined.load.p99).toBe(15 + 2 * 30);
    expect(combined.load.errors).toBe(3);
    // 10 of the 50 ms at 100 %, 40 at 200 %.
    expect(combined.usage).toEqual([{ name: 'hub', cpuPercent: 180, peakRssMiB: 300 }]);
  });

  it('answers 0 req/s when a request never got an answer', () => {
    const combined = combineCalls([
      { times: 1, run: run(100, 5, 100) },
      { times: 1, run: run(0, 0, 50) },
    ]);
    expect(combined.load.requestsPerSecond).toBe(0);
    expect(combined.usage[0]!.cpuPercent).toBe(75);
  });
});

describe('summarise', () => {
  it('takes medians over runs, the largest peak RSS, summed errors, and medians of per-run ratios', () => {
    const ours = [run(100, 10, 150, 200), run(50, 20, 150, 210), run(80, 12, 150, 220)];
    const hive = [run(200, 5, 120, 300, 1), run(150, 8, 130, 250), run(120, 9, 140, 260, 2)];
    const summary = summarise('hive', hive, ours);
    expect(summary.requestsPerSecond).toBe(150);
    expect(summary.p50).toBe(8);
    expect(summary.errors).toBe(3);
    expect(summary.usage).toEqual([{ name: 'hub', cpuPercent: 130, peakRssMiB: 300 }]);
    // 120 % at 200/s, 130 % at 150/s, 140 % at 120/s: 6, 8.7 and 11.7 ms of CPU per request.
    expect(summary.cpuMsPerRequest).toBeCloseTo(1300 / 150);
    // Per run: 2, 3, 1.5 → 2 (the ratio of the medians would be 150 / 80 = 1.875).
    expect(summary.vsOurs!.requestsPerSecond).toBe(2);
    expect(summary.vsOurs!.p50).toBeCloseTo(0.5);
    expect(summarise('ours', ours, ours).vsOurs).toBeNull();
  });

  it('renders one Markdown row per target', () => {
    const ours = [run(1234, 7.25, 150)];
    const table = markdownTable([
      summarise('ours', ours, ours),
      summarise('direct', [run(2468, 3, 90)], ours),
    ]);
    const lines = table.split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[2]).toBe(
      '| hub gateway | 1,234 | 7.3 | 15 | 22 | 0 | 1.2 | hub 150 | hub 100 | – | – |',
    );
    expect(lines[3]).toContain('| subgraphs direct | 2,468 |');
    expect(lines[3]).toMatch(/\| 2\.00 \| 0\.41 \|$/);
  });
});
