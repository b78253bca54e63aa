import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { AgencyKind, type CanonicalRecordInput } from '@hub/schema';
import { describe, expect, it } from 'vitest';
import { MemoryApplier } from './memory-applier.js';
import { records, reject, skip, type AgencyPlugin } from './plugin.js';
import type { IngestReport, PendingRecord, RecordApplier } from './report.js';
import { runIngest, UnsupportedContentTypeError } from './runner.js';

/**
 * One JSON object per line says what `map` should do with it, so each test writes the body it
 * needs: `{"id":"c1"}` is a case, `skip`, `reject` and `throw` do what they say, `children: n`
 * maps to n child records, `disagreement` names a case. A line that is not JSON is a problem;
 * the line `CRASH` makes `parse` throw.
 */
interface Directive {
  id: string;
  v?: string;
  skip?: boolean;
  reject?: string;
  throw?: string;
  dob?: string;
  children?: number;
  disagreement?: string;
  empty?: boolean;
}

function directivePlugin(hooks: { yielded?: () => void; closed?: () => void } = {}) {
  const plugin: AgencyPlugin<Directive> = {
    name: 'directives',
    agencyKind: AgencyKind.OTHER,
    contentTypes: ['application/x-ndjson'],
    description: 'Test directives, one JSON object per line.',
    async *parse(body) {
      let line = 0;
      try {
        for await (const text of createInterface({ input: body, crlfDelay: Infinity })) {
          line++;
          if (text === 'CRASH') throw new Error('parser crashed');
          let directive: Directive;
          try {
            directive = JSON.parse(text) as Directive;
          } catch {
            yield { type: 'problem', field: `line ${line}`, message: 'not JSON' };
            continue;
          }
          hooks.yielded?.();
          yield { type: 'record', sourceId: directive.id, record: directive };
        }
      } finally {
        hooks.closed?.();
      }
    },
    map(directive) {
      if (directive.skip) return skip('not used');
      if (directive.reject) return reject(directive.reject, 'unknown plan code');
      if (directive.throw) throw new Error(directive.throw);
      if (directive.empty) return records();
      const version = directive.v ?? '1';
      if (directive.disagreement)
        return records(disagreement(directive.id, directive.disagreement));
      if (directive.children) {
        return records(
          ...Array.from({ length: directive.children }, (_, n) =>
            child(`${directive.id}-${n}`, version, n === 1 ? directive.dob : undefined),
          ),
        );
      }
      return records(caseRecord(directive.id, version, directive.dob));
    },
  };
  return plugin;
}

function caseRecord(
  sourceId: string,
  sourceVersion: string,
  dob = '2011-04-02',
): CanonicalRecordInput {
  return {
    kind: 'case',
    sourceId,
    sourceVersion,
    child: { name: 'Ada Example', dateOfBirth: dob },
    planType: 'CHILD_IN_NEED',
  } as CanonicalRecordInput;
}

function child(sourceId: string, sourceVersion: string, dob = '2012-01-01'): CanonicalRecordInput {
  return {
    kind: 'child',
    sourceId,
    sourceVersion,
    child: { name: 'Ben Example', dateOfBirth: dob },
  };
}

function disagreement(sourceId: string, caseSourceId: string): CanonicalRecordInput {
  return {
    kind: 'disagreement',
    sourceId,
    sourceVersion: '1',
    caseSourceId,
    raisedBy: { email: 'sam@example.org' },
    respondingAgency: { kind: 'CHILDRENS_SOCIAL_CARE' },
    category: 'LEVELS_OF_NEED',
    ground: 'DECISION_CHALLENGE',
    summary: 'Threshold not met in our view.',
    desiredOutcome: 'Strategy discussion.',
    occurredAt: '2027-03-01T10:00:00Z',
  } as CanonicalRecordInput;
}

function body(...lines: Array<Directive | string>): Readable {
  const text = lines.map((line) => (typeof line === 'string' ? line : JSON.stringify(line)));
  return Readable.from([Buffer.from(text.join('\n') + '\n')], { objectMode: false });
}

async function ingest(
  lines: Array<Directive | string>,
  options: { applier?: RecordApplier; batchSize?: number; plugin?: AgencyPlugin<Directive> } = {},
): Promise<IngestReport> {
  const report = await runIngest({
    plugin: options.plugin ?? directivePlugin(),
    body: body(...lines),
    contentType: 'application/x-ndjson',
    applier: options.applier ?? new MemoryApplier(),
    batchSize: options.batchSize,
  });
  expectBalanced(report);
  return report;
}

/** The report's promise: every item of the body is accounted for exactly once. */
function expectBalanced(report: IngestReport): void {
  const { received, created, updated, unchanged, skipped, rejected } = report;
  expect(created + updated + unchanged + skipped + rejected.length).toBe(received);
}

function appliedIndexes(applier: MemoryApplier): number[] {
  return applier.batches.flat().map((pending) => pending.index);
}

describe('runIngest', () => {
  it('counts each source record once, indexes problems too, and lists rejections in order', async () => {
    const report = await ingest([
      { id: 'c1' },
      { id: 'x', skip: true },
      'not json',
      { id: 'r', reject: 'plan' },
      { id: 'c2' },
    ]);

    expect(report).toEqual({
      plugin: 'directives',
      received: 5,
      created: 2,
      updated: 0,
      unchanged: 0,
      skipped: 1,
      rejected: [
        { index: 2, sourceId: null, field: 'line 3', message: 'not JSON' },
        { index: 3, sourceId: 'r', field: 'plan', message: 'unknown plan code' },
      ],
    });
  });

  it('answers unchanged for the same source version and updated for a new one', async () => {
    const applier = new MemoryApplier();
    await ingest([{ id: 'c1' }, { id: 'c2' }], { applier });

    const again = await ingest([{ id: 'c1' }, { id: 'c2', v: '2' }, { id: 'c3' }], { applier });

    expect(again).toMatchObject({ created: 1, updated: 1, unchanged: 1, rejected: [] });
  });

  it('rejects a source record whose canonical record fails its schema, with the zod path, applying none of it', async () => {
    const applier = new MemoryApplier();
    const report = await ingest(
      [{ id: 'c1', dob: '2011-02-30' }, { id: 'k', children: 3, dob: '31/01/2012' }, { id: 'c2' }],
      { applier },
    );

    expect(report.rejected).toEqual([
      {
        index: 0,
        sourceId: 'c1',
        field: 'records[0].child.dateOfBirth',
        message: 'must be a calendar date, YYYY-MM-DD',
      },
      {
        index: 1,
        sourceId: 'k',
        field: 'records[1].child.dateOfBirth',
        message: 'must be a calendar date, YYYY-MM-DD',
      },
    ]);
    expect(report.created).toBe(1);
    // Neither the first nor the third child of `k` (both valid) reached the applier.
    expect(appliedIndexes(applier)).toEqual([2]);
  });

  it('turns a map that throws, or answers no record, into a rejection at `map` and goes on', async () => {
    const report = await ingest([
      { id: 't', throw: 'boom' },
      { id: 'e', empty: true },
      { id: 'c1' },
    ]);

    expect(report.rejected).toEqual([
      { index: 0, sourceId: 't', field: 'map', message: 'boom' },
      {
        index: 1,
        sourceId: 'e',
        field: 'map',
        message: expect.stringMatching(/no canonical record/),
      },
    ]);
    expect(report.created).toBe(1);
  });

  it('reports a parse that throws at `body`, stops reading, and still applies what it queued', async () => {
    const applier = new MemoryApplier();
    const report = await ingest([{ id: 'c1' }, { id: 'c2' }, 'CRASH', { id: 'c3' }], { applier });

    expect(report).toMatchObject({ received: 3, created: 2 });
    expect(report.rejected).toEqual([
      { index: -1, sourceId: null, field: 'body', message: 'parser crashed' },
    ]);
    expect(applier.get('directives', 'case', 'c3')).toBeUndefined();
  });

  it('sends batches of at least batchSize records without splitting a source record', async () => {
    const applier = new MemoryApplier();
    await ingest(
      [
        { id: 'a' },
        { id: 'b' },
        { id: 'c', children: 3 },
        { id: 'd' },
        { id: 'e', children: 5 },
        { id: 'f' },
      ],
      { applier, batchSize: 4 },
    );

    expect(applier.batches.map((batch) => batch.length)).toEqual([5, 6, 1]);
    expect(applier.batches.map((batch) => [...new Set(batch.map((p) => p.index))])).toEqual([
      [0, 1, 2],
      [3, 4],
      [5],
    ]);
  });

  it('reads no further while a batch is being applied', async () => {
    let yielded = 0;
    const seenAtApply: number[] = [];
    const memory = new MemoryApplier();
    const applier: RecordApplier = {
      async apply(batch: readonly PendingRecord[]) {
        seenAtApply.push(yielded);
        return memory.apply(batch);
      },
    };
    const lines = Array.from({ length: 10 }, (_, n) => ({ id: `c${n}` }));

    await ingest(lines, {
      applier,
      batchSize: 2,
      plugin: directivePlugin({ yielded: () => yielded++ }),
    });

    expect(seenAtApply).toEqual([2, 4, 6, 8, 10]);
  });

  it("reports the applier's rejections with its canonical field, per source record", async () => {
    const report = await ingest(
      [{ id: 'c1' }, { id: 'd1', disagreement: 'c1' }, { id: 'd2', disagreement: 'nope' }],
      { batchSize: 1 },
    );

    expect(report.created).toBe(2);
    expect(report.rejected).toEqual([
      {
        index: 2,
        sourceId: 'd2',
        field: 'caseSourceId',
        message: 'no case with sourceId "nope" has been ingested through plugin "directives"',
      },
    ]);
  });

  it("lists the applier's rejections, which arrive a batch late, in body order", async () => {
    const report = await ingest([
      { id: 'd0', disagreement: 'nope' },
      { id: 'r', reject: 'plan' },
    ]);

    expect(report.rejected.map((rejection) => [rejection.index, rejection.field])).toEqual([
      [0, 'caseSourceId'],
      [1, 'plan'],
    ]);
  });

  it('lets an applier that throws reject the run, closing the plugin', async () => {
    let closed = false;
    const down: RecordApplier = {
      apply: async () => {
        throw new Error('hub unreachable');
      },
    };

    await expect(
      runIngest({
        plugin: directivePlugin({ closed: () => (closed = true) }),
        body: body({ id: 'c1' }, { id: 'c2' }, { id: 'c3' }),
        contentType: 'application/x-ndjson',
        applier: down,
        batchSize: 1,
      }),
    ).rejects.toThrow('hub unreachable');
    expect(closed).toBe(true);
  });

  it('refuses a media type the plugin does not read before reading the body', async () => {
    let read = false;
    const untouched = new Readable({
      read() {
        read = true;
        this.push(null);
      },
    });

    const refusal = runIngest({
      plugin: directivePlugin(),
      body: untouched,
      contentType: 'text/csv; charset=utf-8',
      applier: new MemoryApplier(),
    });

    await expect(refusal).rejects.toBeInstanceOf(UnsupportedContentTypeError);
    await expect(refusal).rejects.toMatchObject({
      plugin: 'directives',
      contentType: 'text/csv',
      accepted: ['application/x-ndjson'],
    });
    expect(read).toBe(false);
  });

  it('accepts the media type with parameters and in any case', async () => {
    const report = await runIngest({
      plugin: directivePlugin(),
      body: body({ id: 'c1' }),
      contentType: 'Application/X-NDJSON; charset=utf-8',
      applier: new MemoryApplier(),
    });

    expect(report.created).toBe(1);
  });

  it('reports progress after each item', async () => {
    const progress: number[] = [];

    await runIngest({
      plugin: directivePlugin(),
      body: body({ id: 'c1' }, 'bad', { id: 'x', skip: true }),
      contentType: 'application/x-ndjson',
      applier: new MemoryApplier(),
      onProgress: ({ received }) => progress.push(received),
    });

    expect(progress).toEqual([1, 2, 3]);
  });

  it('stops when aborted, with the reason, closing the plugin', async () => {
    const controller = new AbortController();
    let closed = false;
    const applier = new MemoryApplier();

    const run = runIngest({
      plugin: directivePlugin({ closed: () => (closed = true) }),
      body: body({ id: 'c1' }, { id: 'c2' }, { id: 'c3' }, { id: 'c4' }),
      contentType: 'application/x-ndjson',
      applier,
      batchSize: 1,
      onProgress: ({ received }) => {
        if (received === 2) controller.abort(new Error('client went away'));
      },
      signal: controller.signal,
    });

    await expect(run).rejects.toThrow('client went away');
    expect(closed).toBe(true);
    expect(appliedIndexes(applier)).toEqual([0, 1]);
  });

  it('rejects a source record that maps to the same canonical record twice', async () => {
    const plugin = directivePlugin();
    const twice: AgencyPlugin<Directive> = {
      ...plugin,
      map: (directive) => records(caseRecord(directive.id, '1'), caseRecord(directive.id, '2')),
    };

    const report = await ingest([{ id: 'c1' }], { plugin: twice });

    expect(report.rejected).toEqual([
      {
        index: 0,
        sourceId: 'c1',
        field: 'records[1].sourceId',
        message: expect.stringMatching(/repeats records\[0\]/),
      },
    ]);
  });

  it('names the field when map rejects without one', async () => {
    const plugin = directivePlugin();
    const vague: AgencyPlugin<Directive> = { ...plugin, map: () => reject('', 'bad row') };

    const report = await ingest([{ id: 'c1' }], { plugin: vague });

    expect(report.rejected).toEqual([
      {
        index: 0,
        sourceId: 'c1',
        field: 'map',
        message: 'map rejected the record without naming the field: bad row',
      },
    ]);
  });

  it('refuses a batch size that is not a positive integer, naming it', async () => {
    await expect(ingest([{ id: 'c1' }], { batchSize: 0 })).rejects.toThrow(/batchSize/);
  });
});
