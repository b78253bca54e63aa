import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets the heap grow past what was live after a full collection before it collects
 * again, in percent (HUB_HEAP_GROWTH_PERCENT); 0 leaves the choice to V8.
 *
 * V8's own heuristic grows the old generation by a factor of up to 4 when the program allocates
 * fast, so the embedded hub under load reached about 500 MiB holding about 100 MiB of live objects
 * (bench/RESULTS.md, "Sixth session"). A fixed factor keeps the heap proportional to what is live,
 * at some more collection work. Unlike `--max-old-space-size` it is not a ceiling: a process that
 * needs more live memory gets it, and is not stopped by an out-of-memory error.
 *
 * V8 reads the flag each time it sets the next collection's limit, so setting it once the process
 * is running (before the hub starts) is enough, on Node 20 and 24 alike.
 */
export function setHeapGrowth(percent: number): void {
  if (!Number.isInteger(percent) || percent < 0) {
    throw new RangeError(`heap growth must be a whole number of percent, 0 or more: ${percent}`);
  }
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`);
}
