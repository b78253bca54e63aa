import { createReadStream, statSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { extname } from 'node:path';
import { parseArgs } from 'node:util';
import { ingestPlugins } from '@hub/gateway';
import type { IngestReport } from '@hub/plugin-sdk';
import cliProgress from 'cli-progress';
import type { IngestConfig } from '../config.js';

const USAGE =
  'usage: hub ingest --plugin <name> <file> [--content-type <type>] [--url <url>] [--token <token>]\n' +
  '  --plugin        the plugin that reads the file (health, education, police)\n' +
  "  --content-type  the file's media type; by default guessed from its extension:\n" +
  "                  .json the plugin's first JSON type, .xml its first XML type, .csv text/csv\n" +
  '  --url           the running hub (default HUB_URL, else http://127.0.0.1:$PORT)\n' +
  "  --token         an INTEGRATION account's bearer token (default HUB_TOKEN)";

const TOKEN_HINT =
  'No token: pass --token <token> or set HUB_TOKEN to the bearer token of an INTEGRATION ' +
  "account of the plugin's agency kind. With the embedded hub (npm start), mint one with\n" +
  '  npm run --silent token -- --practitioner <integration id>\n' +
  "(npm start prints every practitioner's id; the demo has integration accounts for its health, police and school agencies).";

/** What the command line asks for, or the message for a command line it does not take. */
type Request =
  | { plugin: string; file: string; contentType?: string; url?: string; token?: string }
  | { problem: string };

function parseRequest(args: string[]): Request {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        plugin: { type: 'string' },
        'content-type': { type: 'string' },
        url: { type: 'string' },
        token: { type: 'string' },
      },
      strict: true,
      allowPositionals: true,
    });
  } catch (error) {
    return { problem: (error as Error).message };
  }
  const { values, positionals } = parsed;
  if (!values.plugin) return { problem: '--plugin <name> is required' };
  if (positionals.length !== 1) return { problem: 'name exactly one file to ingest' };
  return {
    plugin: values.plugin,
    file: positionals[0]!,
    contentType: values['content-type'],
    url: values.url,
    token: values.token,
  };
}

/**
 * The media type for a file, from its extension: the plugin's own type for the format where the
 * CLI knows the plugin (`.json` → `application/fhir+json` for health), the format's common type
 * otherwise. Null when the extension says nothing.
 */
export function guessContentType(plugin: string, file: string): string | null {
  const types = ingestPlugins().find((candidate) => candidate.name === plugin)?.contentTypes ?? [];
  const first = (pattern: RegExp, fallback: string) =>
    types.find((type) => pattern.test(type)) ?? fallback;
  switch (extname(file).toLowerCase()) {
    case '.json':
      return first(/[/+]json$/, 'application/json');
    case '.xml':
      return first(/[/+]xml$/, 'application/xml');
    case '.csv':
      return first(/\/csv$/, 'text/csv');
    default:
      return null;
  }
}

/** The ingest URL from the hub's address, which may be given as its GraphQL URL. */
function ingestUrl(base: string, plugin: string): URL {
  const root = base.replace(/\/+$/, '').replace(/\/graphql$/, '');
  return new URL(`${root}/ingest/${encodeURIComponent(plugin)}`);
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${Math.round(bytes)} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** A progress bar of bytes sent, on stderr; only on a terminal, never into a pipe or a log. */
function progressBar(total: number): { update(sent: number): void; stop(): void } {
  if (!process.stderr.isTTY) return { update: () => undefined, stop: () => undefined };
  const started = Date.now();
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format:
        'sending [{bar}] {percentage}% | {sentBytes} of {totalBytes} | {rate}/s | ETA {eta_formatted}',
      hideCursor: true,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  const payload = (sent: number) => ({
    sentBytes: formatBytes(sent),
    totalBytes: formatBytes(total),
    rate: formatBytes(sent / Math.max((Date.now() - started) / 1000, 0.001)),
  });
  bar.start(total, 0, payload(0));
  return {
    update: (sent) => bar.update(sent, payload(sent)),
    stop: () => bar.stop(),
  };
}

/** The hub's answer: its status and its body as text. */
interface Answer {
  status: number;
  body: string;
}

/**
 * Streams the file to the hub: never read whole, Content-Length from its size. The answer may
 * come before the file has been sent (a refusal): then sending stops and the answer counts.
 */
function send(
  url: URL,
  headers: Record<string, string>,
  file: string,
  size: number,
): Promise<Answer> {
  const bar = progressBar(size);
  return new Promise<Answer>((resolve, reject) => {
    let answered = false;
    const body = createReadStream(file);
    const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(size) },
    });
    let sent = 0;
    body.on('data', (chunk: Buffer | string) => {
      sent += chunk.length;
      bar.update(sent);
    });
    body.on('error', (error) => {
      bar.stop();
      request.destroy();
      reject(error);
    });
    request.on('response', (response: IncomingMessage) => {
      answered = true;
      body.unpipe(request);
      body.destroy();
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        bar.stop();
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
      });
      response.on('error', (error) => {
        bar.stop();
        reject(error);
      });
    });
    request.on('error', (error) => {
      // Once the hub has answered, the connection closing under the rest of the file is expected.
      if (answered) return;
      bar.stop();
      reject(error);
    });
    body.pipe(request);
  });
}

function errorMessage(answer: Answer): string {
  try {
    const parsed = JSON.parse(answer.body) as { error?: unknown };
    if (typeof parsed.error === 'string') return parsed.error;
  } catch {
    // Not JSON: a proxy's page, say; its first line is the best there is.
  }
  return answer.body.split('\n', 1)[0]!.slice(0, 300) || '(no message)';
}

/**
 * `hub ingest --plugin <name> <file>`: sends an agency system's file to the running hub's
 * `POST /ingest/{plugin}` and prints the ingest report (JSON) on stdout. Exit 0 when every
 * record was applied or skipped, 1 when any was rejected or the hub refused or failed (its
 * message on stderr), 2 for a command line it does not take (including no token).
 */
export async function ingestCommand(args: string[], config: IngestConfig): Promise<number> {
  const request = parseRequest(args);
  if ('problem' in request) {
    console.error(`${request.problem}\n${USAGE}`);
    return 2;
  }
  const token = request.token ?? config.HUB_TOKEN;
  if (!token) {
    console.error(TOKEN_HINT);
    return 2;
  }
  let url: URL;
  try {
    url = ingestUrl(
      request.url ?? config.HUB_URL ?? `http://127.0.0.1:${config.PORT}`,
      request.plugin,
    );
  } catch {
    console.error(`--url ${request.url}: not a URL (e.g. http://127.0.0.1:4000)\n${USAGE}`);
    return 2;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    console.error(`--url ${request.url}: the hub is reached over http or https\n${USAGE}`);
    return 2;
  }
  let size: number;
  try {
    const stat = statSync(request.file);
    if (!stat.isFile()) throw new Error('not a file');
    size = stat.size;
  } catch {
    console.error(`${request.file}: no such file\n${USAGE}`);
    return 2;
  }
  const contentType = request.contentType ?? guessContentType(request.plugin, request.file);
  if (!contentType) {
    console.error(
      `${request.file}: cannot tell its media type from the extension; pass --content-type ` +
        `(e.g. application/json, application/xml, text/csv)`,
    );
    return 2;
  }

  let answer: Answer;
  try {
    answer = await send(
      url,
      {
        'content-type': contentType,
        authorization: `Bearer ${token}`,
        accept: 'application/json',
      },
      request.file,
      size,
    );
  } catch (error) {
    console.error(
      `Could not send ${request.file} to ${url.origin}: ${(error as Error).message}. ` +
        'Is the hub running there? Set --url or HUB_URL to its address.',
    );
    return 1;
  }
  if (answer.status !== 200) {
    console.error(`The hub answered HTTP ${answer.status}: ${errorMessage(answer)}`);
    return 1;
  }
  let report: IngestReport;
  try {
    report = JSON.parse(answer.body) as IngestReport;
  } catch {
    console.error(`The hub answered 200 with something other than an ingest report.`);
    return 1;
  }
  console.log(JSON.stringify(report, null, 2));
  const rejected = report.rejected?.length ?? 0;
  console.error(
    `${report.plugin}: ${report.received} received, ${report.created} created, ${report.updated} updated, ` +
      `${report.unchanged} unchanged, ${report.skipped} skipped, ${rejected} rejected`,
  );
  return rejected > 0 ? 1 : 0;
}
