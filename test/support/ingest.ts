import { request, type IncomingHttpHeaders } from 'node:http';
import type { TestHub } from './hub.js';

/** The hub's answer to an ingest request. */
export interface IngestAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  /** The JSON body (the report, or `{ error }`). */
  body: any;
}

export interface IngestRequest {
  /** The bearer token, or null for none. */
  token: string | null;
  contentType?: string;
  /** The body, in the chunks it is sent in (strings or buffers, or a stream of them). */
  body: string | Buffer | Iterable<string | Buffer> | AsyncIterable<string | Buffer>;
  /**
   * The Content-Length header: `auto` for the body's length (a string or buffer body only), a
   * number to declare one, or none for a chunked body. @default 'auto' for a string or buffer
   */
  contentLength?: 'auto' | number | null;
  /** Drop the connection once the body's chunks are sent instead of finishing the request. */
  abandon?: boolean;
}

/**
 * POSTs to the gateway's `/ingest/{plugin}` over a plain HTTP request, chunk by chunk, as an
 * integration engine streams a file. The answer may come before the body is sent (a refusal):
 * then sending stops and the answer counts.
 */
export function postIngest(
  hubUrl: string,
  plugin: string,
  options: IngestRequest,
): Promise<IngestAnswer> {
  const url = hubUrl.replace(/\/graphql$/, `/ingest/${encodeURIComponent(plugin)}`);
  const whole = typeof options.body === 'string' || Buffer.isBuffer(options.body);
  const declared =
    options.contentLength === undefined ? (whole ? 'auto' : null) : options.contentLength;
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.contentType) headers['content-type'] = options.contentType;
  if (declared === 'auto') {
    headers['content-length'] = String(Buffer.byteLength(options.body as string | Buffer));
  } else if (typeof declared === 'number') headers['content-length'] = String(declared);

  return new Promise((resolve, reject) => {
    let answered = false;
    const req = request(url, { method: 'POST', headers });
    req.on('response', (res) => {
      answered = true;
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          body = text;
        }
        resolve({ status: res.statusCode!, headers: res.headers, body });
      });
    });
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    (async () => {
      const chunks = whole ? [options.body as string | Buffer] : (options.body as Iterable<string>);
      for await (const chunk of chunks) {
        if (answered || req.destroyed) return;
        if (!req.write(chunk)) {
          await new Promise<void>((next) => {
            const go = () => {
              req.off('drain', go);
              req.off('close', go);
              next();
            };
            req.on('drain', go);
            req.on('close', go);
          });
        }
      }
      if (options.abandon) {
        req.destroy();
        resolve({ status: 0, headers: {}, body: null });
        return;
      }
      if (!answered) req.end();
    })().catch(reject);
  });
}

/** Board, agencies and people for the plugins' fixtures, by key. */
export interface IngestDirectory {
  boards: Record<'northshire' | 'leeds', string>;
  agencies: Record<string, string>;
  people: Record<string, string>;
  tokens: Record<string, string>;
}

/**
 * Two boards besides the demo's, shaped like the reference plugins' fixtures: Northshire (the
 * police referrals, the school's CTF and safeguarding log) and Leeds (the FHIR bundle), each
 * with the agencies and practitioners the fixtures name and an INTEGRATION account per plugin.
 */
export async function createIngestDirectory(t: TestHub): Promise<IngestDirectory> {
  const admin = async (query: string, variables: Record<string, unknown>) => {
    const response = await t.gql(t.adminToken, query, variables);
    if (response.errors) throw new Error(JSON.stringify(response.errors));
    return response.data!;
  };
  const board = async (name: string) =>
    (
      await admin(`mutation ($input: CreateBoardInput!) { createBoard(input: $input) { id } }`, {
        input: { name, region: 'GB-ENG' },
      })
    ).createBoard.id as string;
  const boards = {
    northshire: await board('Northshire Safeguarding Children Partnership'),
    leeds: await board('Leeds Safeguarding Children Partnership'),
  };
  const agencies: Record<string, string> = {};
  const AGENCIES: [string, keyof typeof boards, string, string][] = [
    ['police', 'northshire', 'Northshire Police', 'POLICE'],
    ['csc', 'northshire', "Northshire Children's Services", 'CHILDRENS_SOCIAL_CARE'],
    ['school', 'northshire', 'Meadowbank Primary School', 'EDUCATION'],
    ['health', 'northshire', 'Northshire Community Health', 'HEALTH'],
    ['leedsHealth', 'leeds', 'Leeds Teaching Hospitals', 'HEALTH'],
    ['leedsCsc', 'leeds', "Leeds Children's Social Care", 'CHILDRENS_SOCIAL_CARE'],
  ];
  for (const [key, boardKey, name, kind] of AGENCIES) {
    agencies[key] = (
      await admin(`mutation ($input: CreateAgencyInput!) { createAgency(input: $input) { id } }`, {
        input: { boardId: boards[boardKey], name, kind },
      })
    ).createAgency.id;
  }
  const PEOPLE: [string, string, string, string[]][] = [
    ['policeIntegration', 'police', 'ppn-export@northshire.police.example', ['INTEGRATION']],
    ['ds2210', 'police', 'ds.2210@northshire.police.example', ['PRACTITIONER']],
    ['pc4471', 'police', 'pc.4471@northshire.police.example', ['PRACTITIONER']],
    ['cscDuty', 'csc', 'duty@northshire-childrens.example', ['PRACTITIONER']],
    ['schoolIntegration', 'school', 'mis@meadowbank.sch.example', ['INTEGRATION']],
    ['dsl', 'school', 'dsl@meadowbank.sch.example', ['SAFEGUARDING_LEAD']],
    ['healthIntegration', 'health', 'tie@northshire-health.example', ['INTEGRATION']],
    ['leedsIntegration', 'leedsHealth', 'tie@leeds-health.example', ['INTEGRATION']],
    ['samOkafor', 'leedsHealth', 'sam.okafor@leeds-health.example', ['PRACTITIONER']],
    ['joBrennan', 'leedsCsc', 'jo.brennan@leeds-csc.example', ['PRACTITIONER']],
  ];
  const people: Record<string, string> = {};
  const tokens: Record<string, string> = {};
  for (const [key, agency, email, roles] of PEOPLE) {
    people[key] = (
      await admin(
        `mutation ($input: CreatePractitionerInput!) { createPractitioner(input: $input) { id } }`,
        { input: { agencyId: agencies[agency], name: key, email, roles } },
      )
    ).createPractitioner.id;
    tokens[key] = await t.tokenFor(people[key]!);
  }
  return { boards, agencies, people, tokens };
}
