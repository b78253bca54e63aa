import { createReadStream } from 'node:fs';
import { request } from 'node:http';
import type { GeneratedFeed } from './fhir.generator.js';

/** The ingest report `POST /ingest/{plugin}` answers (plugins/README.md). */
export interface IngestReport {
  plugin: string;
  received: number;
  created: number;
  updated: number;
  unchanged: number;
  skipped: number;
  rejected: { index: number; sourceId: string | null; field: string; message: string }[];
}

/** What the hub answered a posted feed, and how long it took from the first byte sent. */
export interface PostedFeed {
  report: IngestReport;
  ms: number;
}

/**
 * Posts a generated feed's file to `POST /ingest/{plugin}` as an integration engine does:
 * streamed from the file with its size as Content-Length (what `hub ingest` sends), never read
 * whole. Anything but 200 with a report is an error carrying the hub's answer.
 */
export function postFeed(
  gatewayUrl: string,
  plugin: string,
  token: string,
  feed: GeneratedFeed,
): Promise<PostedFeed> {
  const url = new URL(`/ingest/${plugin}`, gatewayUrl);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': feed.contentType,
        'content-length': String(feed.bytes),
      },
    });
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const ms = performance.now() - started;
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200) {
          reject(
            new Error(`POST ${url.pathname} answered ${res.statusCode}: ${text.slice(0, 2000)}`),
          );
          return;
        }
        try {
          resolve({ report: JSON.parse(text) as IngestReport, ms });
        } catch {
          reject(
            new Error(
              `POST ${url.pathname} answered 200 without a JSON report: ${text.slice(0, 500)}`,
            ),
          );
        }
      });
    });
    createReadStream(feed.file).on('error', reject).pipe(req);
  });
}
