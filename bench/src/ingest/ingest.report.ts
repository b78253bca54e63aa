import type { FeedName } from './ingest.args.js';
import type { GeneratedFeed } from './fhir.generator.js';
import type { IngestReport } from './ingest.post.js';
import { rssAt, type RssSample } from './rss.series.js';

/** One feed posted to the hub and what was measured. */
export interface FeedRun {
  size: number;
  feed: FeedName;
  /** The same file posted a second time, unchanged (`--resend`). */
  again: boolean;
  generated: GeneratedFeed;
  generateSeconds: number;
  /** The ingesting agency. */
  agency: string;
  report: IngestReport;
  /** Wall time of the request, from the first byte sent to the report. */
  seconds: number;
  hubCpuPercent: number;
  clientCpuPercent: number;
  /** The hub's VmHWM over the request (reset at its start). */
  peakRssMiB: number;
  samples: RssSample[];
  /** How long the hub stayed busy after answering (events), in seconds. */
  busyAfterSeconds: number;
}

const FEED_TITLES: Record<FeedName, string> = {
  health: 'health: FHIR R4 Bundle (JSON)',
  education: 'education: safeguarding-log CSV',
};

export const RSS_FRACTIONS = [0.1, 0.25, 0.5, 0.75, 1] as const;

/** The run's feed as the tables name it: `health`, or `health, sent again`. */
function feedLabel(run: FeedRun): string {
  return run.again ? `${run.feed}, sent again` : run.feed;
}

const whole = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-GB') : '–');
const mib = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : '–');
const rate = (count: number, seconds: number) =>
  count === 0 ? '0' : `${whole(count)} (${whole(count / seconds)}/s)`;

function table(header: string[], rows: string[][]): string {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n');
}

/** The rejections of a report, counted by field and message (the first 10 kinds). */
export function rejectionSummary(report: IngestReport): string {
  const counts = new Map<string, { n: number; first: number }>();
  for (const r of report.rejected) {
    const key = `${r.field}: ${r.message}`;
    const seen = counts.get(key);
    if (seen) seen.n += 1;
    else counts.set(key, { n: 1, first: r.index });
  }
  return [...counts]
    .sort((a, b) => b[1].n - a[1].n)
    .slice(0, 10)
    .map(([key, { n, first }]) => `  ${n} x ${key} (first at index ${first})`)
    .join('\n');
}

/** The results section: context lines, a throughput table, a memory table and the feeds' mix. */
export function reportMarkdown(
  runs: readonly FeedRun[],
  heading: { title: string; context: string[] },
): string {
  const throughput = table(
    [
      'records',
      'feed',
      'body MiB',
      'wall s',
      'received/s',
      'created',
      'updated',
      'unchanged',
      'skipped',
      'rejected',
      'hub CPU %',
      'client CPU %',
      'hub busy after, s',
    ],
    runs.map((run) => {
      const r = run.report;
      return [
        whole(run.size),
        feedLabel(run),
        (run.generated.bytes / 1048576).toFixed(1),
        run.seconds.toFixed(1),
        whole(r.received / run.seconds),
        rate(r.created, run.seconds),
        rate(r.updated, run.seconds),
        rate(r.unchanged, run.seconds),
        rate(r.skipped, run.seconds),
        whole(r.rejected.length),
        whole(run.hubCpuPercent),
        whole(run.clientCpuPercent),
        run.busyAfterSeconds.toFixed(1),
      ];
    }),
  );
  const memory = table(
    [
      'records',
      'feed',
      'RSS at start, MiB',
      ...RSS_FRACTIONS.map((f) => `at ${f * 100} %`),
      'peak RSS (VmHWM), MiB',
      'samples',
    ],
    runs.map((run) => [
      whole(run.size),
      feedLabel(run),
      mib(run.samples[0]?.rssMiB ?? Number.NaN),
      ...rssAt(run.samples, RSS_FRACTIONS).map(mib),
      mib(run.peakRssMiB),
      whole(run.samples.length),
    ]),
  );
  const feeds = [...new Set(runs.map(feedLabel))];
  const sizes = [...new Set(runs.map((run) => run.size))];
  const growth = feeds
    .map((feed) => {
      const peaks = sizes
        .map((size) => runs.find((run) => feedLabel(run) === feed && run.size === size))
        .filter((run): run is FeedRun => run !== undefined)
        .map((run) => `${mib(run.peakRssMiB)} MiB at ${whole(run.size)} records`);
      return `${feed}: ${peaks.join(', ')}`;
    })
    .join('; ');
  const mix = runs
    .filter((run) => !run.again)
    .map(
      (run) =>
        `- ${whole(run.size)} ${FEED_TITLES[run.feed]} from ${run.agency}, generated in ${run.generateSeconds.toFixed(1)} s: ` +
        Object.entries(run.generated.kinds)
          .map(([kind, n]) => `${kind} ${whole(n)}`)
          .join(', '),
    );
  return [
    heading.title,
    '',
    ...heading.context.map((line) => `- ${line}`),
    `- Records are source records as the runner counts them (a Bundle entry, a CSV row); per outcome as the report gives them, with the rate over the request's wall time. CPU in % of one core over the request; RSS of the hub process read every 250 ms; "busy after" is how long the hub went on working (events) after answering`,
    '',
    '### Throughput',
    '',
    throughput,
    '',
    '### Memory of the hub process',
    '',
    memory,
    '',
    `Peak RSS by file size: ${growth}.`,
    '',
    '### The feeds',
    '',
    ...mix,
    '',
  ].join('\n');
}
