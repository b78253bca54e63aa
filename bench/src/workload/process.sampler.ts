import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

/** A process whose CPU and memory a run reports. */
export interface WatchedProcess {
  /** e.g. `hub`, `gateway`, `cases`, `hive`, `load generator`. */
  name: string;
  pid: number;
}

export interface ProcessUsage {
  name: string;
  /** CPU time over wall time, in % of one core (200 % is both cores of this machine busy). */
  cpuPercent: number;
  /** The largest resident set during the run, MiB. */
  peakRssMiB: number;
}

let clockTicks: number | undefined;

/** Clock ticks per second, the unit of /proc/<pid>/stat's CPU times (almost always 100). */
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** utime + stime of a process, in clock ticks. */
export function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) is in parentheses and may hold spaces; fields count from after it.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/**
 * A /proc/<pid>/status line in kB (VmRSS, VmHWM), as MiB; NaN when the process is gone or has
 * exited (a zombie has no memory lines), which the tables show as –.
 */
export function statusMiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return Number.NaN;
  }
  const kB = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1];
  return kB === undefined ? Number.NaN : Number(kB) / 1024;
}

/**
 * Measures CPU and peak RSS of processes over one run, from /proc (Linux): CPU as the change
 * in utime + stime over the wall time; peak RSS as VmHWM after resetting it at the start
 * (`clear_refs` 5, our own processes), or, where the kernel refuses that, the largest VmRSS
 * sampled every 100 ms.
 */
export class ProcessSampler {
  private readonly start = new Map<number, { ticks: number; hwmReset: boolean }>();
  private readonly peak = new Map<number, number>();
  private startedAt = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly processes: readonly WatchedProcess[]) {}

  begin(): void {
    for (const { pid } of this.processes) {
      let hwmReset = true;
      try {
        writeFileSync(`/proc/${pid}/clear_refs`, '5');
      } catch {
        hwmReset = false;
      }
      this.start.set(pid, { ticks: cpuTicks(pid), hwmReset });
      const rss = statusMiB(pid, 'VmRSS');
      if (!Number.isNaN(rss)) this.peak.set(pid, rss);
    }
    this.startedAt = performance.now();
    this.timer = setInterval(() => this.sample(), 100);
    this.timer.unref();
  }

  private sample(): void {
    for (const { pid } of this.processes) {
      const rss = statusMiB(pid, 'VmRSS');
      if (!Number.isNaN(rss)) this.peak.set(pid, Math.max(this.peak.get(pid) ?? 0, rss));
    }
  }

  end(): ProcessUsage[] {
    clearInterval(this.timer);
    this.sample();
    const seconds = (performance.now() - this.startedAt) / 1000;
    return this.processes.map(({ name, pid }) => {
      const start = this.start.get(pid);
      if (!start) throw new Error('ProcessSampler.end() before begin()');
      let cpuSeconds = Number.NaN;
      try {
        cpuSeconds = (cpuTicks(pid) - start.ticks) / ticksPerSecond();
      } catch {
        // Gone before the end: no figure rather than a wrong one.
      }
      const sampled = this.peak.get(pid) ?? Number.NaN;
      const hwm = start.hwmReset ? statusMiB(pid, 'VmHWM') : Number.NaN;
      const peakRssMiB = Number.isNaN(hwm) ? sampled : Math.max(hwm, sampled || 0);
      return { name, cpuPercent: (cpuSeconds / seconds) * 100, peakRssMiB };
    });
  }
}
