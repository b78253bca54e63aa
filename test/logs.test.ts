import { ACTOR_HEADER, createLogger } from '@hub/kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './support/hub.js';

/**
 * The keys that occur more than once in one object of a JSON text. JSON.parse keeps the last
 * of repeated keys silently, so the raw text is scanned: a string right after `{` or after a `,`
 * inside an object is a key.
 */
function repeatedKeys(json: string): string[] {
  const repeated: string[] = [];
  // One entry per open object (its keys so far) or array (null).
  const open: (Set<string> | null)[] = [];
  let expectingKey = false;
  for (let i = 0; i < json.length; i += 1) {
    const char = json[i];
    if (char === '"') {
      let end = i + 1;
      while (json[end] !== '"') end += json[end] === '\\' ? 2 : 1;
      const keys = open.at(-1);
      if (keys && expectingKey) {
        const key = JSON.parse(json.slice(i, end + 1)) as string;
        if (keys.has(key)) repeated.push(key);
        keys.add(key);
        expectingKey = false;
      }
      i = end;
    } else if (char === '{') {
      open.push(new Set());
      expectingKey = true;
    } else if (char === '[') {
      open.push(null);
    } else if (char === '}' || char === ']') {
      open.pop();
    } else if (char === ',') {
      expectingKey = open.at(-1) instanceof Set;
    }
  }
  return repeated;
}

describe('repeatedKeys', () => {
  it('finds a key repeated at any level, and nothing in strings or arrays', () => {
    expect(repeatedKeys('{"a":1,"b":{"c":2,"c":3},"a":"x,\\"a\\":"}')).toEqual(['c', 'a']);
    expect(repeatedKeys('{"a":[{"b":1},{"b":2}],"s":"{\\"a\\":1}"}')).toEqual([]);
  });
});

/** The log lines the whole hub writes, as an operator reads them. */
describe('hub logs', () => {
  const lines: string[] = [];
  let t: TestHub;
  beforeAll(async () => {
    // The embedded hub's logger, at debug so that as many parts as possible write lines.
    const log = createLogger('hub', 'debug', { write: (line: string) => void lines.push(line) });
    t = await startTestHub('sqlite', { log });
  });
  afterAll(() => t?.close());

  it('writes each key once on every line', async () => {
    // A refused and a served request through the gateway, beside the start-up and demo seeding.
    await t.gql(null, '{ me { id } }');
    await t.gql(await t.tokenOf('csc'), '{ me { id agency { name } } }');
    const offending = lines
      .map((line) => ({ line, repeated: repeatedKeys(line) }))
      .filter(({ repeated }) => repeated.length > 0);
    expect(offending).toEqual([]);
    // Each part still says which it is.
    const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(parsed.find((line) => line.msg === 'gateway listening')).toMatchObject({
      component: 'hub',
      service: 'gateway',
    });
    expect(parsed.find((line) => line.msg === 'subgraph listening')).toMatchObject({
      component: 'hub',
      subgraph: expect.any(String),
    });
  });

  it.each([
    ['without an actor header', {}, 'missing actor header'],
    ['with a forged one', { [ACTOR_HEADER]: 'not-a-signature' }, expect.any(String)],
  ])(
    'logs a request to a subgraph %s as one WARN line without a stack trace',
    async (_name, headers, reason) => {
      const from = lines.length;
      const response = await fetch(t.hub.subgraphs.cases.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      expect(response.status).toBe(401);
      const written = lines.slice(from);
      expect(written).toHaveLength(1);
      expect(written[0]).not.toMatch(/stack|"err"/);
      expect(JSON.parse(written[0]!)).toMatchObject({
        level: 40,
        subgraph: 'cases',
        path: '/graphql',
        reason,
        msg: 'refused a request without a valid gateway signature',
      });
    },
  );
});
