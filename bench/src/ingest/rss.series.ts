import { statusMiB } from '../workload/process.sampler.js';

/** One reading of a process's resident set. */
export interface RssSample {
  /** Milliseconds since the series began. */
  ms: number;
  rssMiB: number;
}

/**
 * A process's resident set (VmRSS from /proc) over a run, read every `intervalMs`, so that a
 * reader can see whether memory grows with the body or stays flat.
 */
export class RssSeries {
  private readonly samples: RssSample[] = [];
  private startedAt = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pid: number,
    private readonly intervalMs = 250,
  ) {}

  begin(): void {
    this.startedAt = performance.now();
    this.read();
    this.timer = setInterval(() => this.read(), this.intervalMs);
    this.timer.unref();
  }

  private read(): void {
    const rssMiB = statusMiB(this.pid, 'VmRSS');
    if (!Number.isNaN(rssMiB))
      this.samples.push({ ms: performance.now() - this.startedAt, rssMiB });
  }

  /** Stops reading; the samples, the first at 0 ms and the last at the end. */
  end(): RssSample[] {
    clearInterval(this.timer);
    this.read();
    return [...this.samples];
  }
}

/** The sample nearest to each fraction of the series' span (0.1 → at 10 % of the time). */
export function rssAt(samples: readonly RssSample[], fractions: readonly number[]): number[] {
  if (samples.length === 0) return fractions.map(() => Number.NaN);
  const span = samples.at(-1)!.ms;
  return fractions.map((fraction) => {
    const at = fraction * span;
    let best = samples[0]!;
    for (const sample of samples) {
      if (Math.abs(sample.ms - at) < Math.abs(best.ms - at)) best = sample;
    }
    return best.rssMiB;
  });
}
