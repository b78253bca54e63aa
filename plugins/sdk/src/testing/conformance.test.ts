import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { youthJusticePlugin, type YouthJusticeRow } from '../examples/youth-justice.plugin.js';
import { records, type AgencyPlugin, type MapResult } from '../plugin.js';
import { checkConformance, type ConformanceFixtures } from './conformance.js';

const fixture = (file: string) =>
  readFileSync(new URL(`../examples/fixtures/${file}`, import.meta.url), 'utf8');

const fixtures: ConformanceFixtures = {
  good: [
    {
      name: 'cases and concerns',
      contentType: 'application/x-ndjson',
      body: fixture('good.jsonl'),
      expect: { mapped: 4, skipped: 1 },
    },
  ],
  bad: [
    {
      name: 'broken rows',
      contentType: 'application/x-ndjson; charset=utf-8',
      body: fixture('bad.jsonl'),
      rejects: [
        { field: 'plan' },
        { field: /^line \d+$/, message: /JSON/ },
        { field: 'caseSourceId' },
      ],
    },
  ],
};

const conforming = youthJusticePlugin();

/** The conforming plugin with `map`'s answers changed. */
function withMap(change: (result: MapResult) => MapResult): AgencyPlugin<YouthJusticeRow> {
  return { ...conforming, map: (row, context) => change(conforming.map(row, context)) };
}

/** The conforming plugin with each mapped canonical record changed. */
function withRecords(change: (record: Record<string, unknown>) => object): AgencyPlugin {
  return withMap((result) =>
    result.outcome === 'records'
      ? records(...(result.records.map((record) => change({ ...record })) as never[]))
      : result,
  );
}

describe('checkConformance', () => {
  it('passes a conforming plugin', async () => {
    expect(await checkConformance(conforming, fixtures)).toEqual([]);
  });

  it('catches a parse that throws on a truncated body', async () => {
    const fragile: AgencyPlugin<YouthJusticeRow> = {
      ...conforming,
      async *parse(body) {
        for await (const line of createInterface({ input: body, crlfDelay: Infinity })) {
          // The bug: a line cut short (or any bad line) makes JSON.parse throw out of parse.
          const row = JSON.parse(line) as YouthJusticeRow;
          yield { type: 'record', sourceId: String(row.id), record: row };
        }
      },
    };

    const failures = await checkConformance(fragile, fixtures);

    expect(failures).toContainEqual(
      expect.stringMatching(
        /^robustness: "cases and concerns" truncated to \d+ of \d+ bytes: parse threw: /,
      ),
    );
  });

  it('catches a map that is not deterministic', async () => {
    const random = withRecords((record) => ({ ...record, sourceVersion: String(Math.random()) }));

    const failures = await checkConformance(random, fixtures);

    expect(failures).toContainEqual(
      expect.stringMatching(
        /^determinism: good fixture "cases and concerns": reading the same body again mapped item 0 \(sourceId "YJ-1042"\) differently: records\[0\]\.sourceVersion was "0\.\d+", then "0\.\d+"$/,
      ),
    );
    expect(failures).toContainEqual(
      expect.stringMatching(
        /^idempotency: good fixture "cases and concerns": ingesting it a second time gave received 5, created 0, updated 4,/,
      ),
    );
  });

  it('catches a parse that depends on how the body is split into chunks', async () => {
    const chunky: AgencyPlugin<YouthJusticeRow> = {
      ...conforming,
      async *parse(body) {
        // The bug: a chunk is taken for a whole number of lines.
        for await (const chunk of body) {
          for (const line of String(chunk).split('\n').filter(Boolean)) {
            try {
              const row = JSON.parse(line) as YouthJusticeRow;
              yield { type: 'record', sourceId: String(row.id), record: row };
            } catch {
              yield { type: 'problem', field: 'line', message: 'not JSON' };
            }
          }
        }
      },
    };

    const failures = await checkConformance(chunky, fixtures);

    expect(failures).toContainEqual(
      expect.stringMatching(
        /^determinism: good fixture "cases and concerns": the body delivered in chunks of 1 to 64 bytes /,
      ),
    );
  });

  it('catches a rejection that names no field', async () => {
    const vague = withMap((result) =>
      result.outcome === 'rejected' ? { ...result, field: '' } : result,
    );

    const failures = await checkConformance(vague, fixtures);

    expect(failures).toContainEqual(
      'bad fixture "broken rows": item 0 (sourceId "YJ-2001"): map rejected it without naming the field',
    );
    expect(failures).toContainEqual(
      expect.stringMatching(
        /^bad fixture "broken rows": expected a rejection at field "plan"; got item 0 \(sourceId "YJ-2001"\): map failed: map rejected the record without naming the field/,
      ),
    );
  });

  it('catches an invalid canonical record from a good fixture', async () => {
    const sloppy = withRecords((record) =>
      record.kind === 'case'
        ? { ...record, child: { ...(record.child as object), dateOfBirth: '14/06/2011' } }
        : record,
    );

    const failures = await checkConformance(sloppy, fixtures);

    expect(failures).toContainEqual(
      'good fixture "cases and concerns": item 0 (sourceId "YJ-1042"): map emitted an invalid canonical record: records[0].child.dateOfBirth: must be a calendar date, YYYY-MM-DD',
    );
  });

  it('catches a bad fixture that the plugin does not reject', async () => {
    const lenient = withMap((result) =>
      result.outcome === 'rejected' ? { outcome: 'skipped', reason: 'whatever' } : result,
    );

    const failures = await checkConformance(lenient, fixtures);

    expect(failures).toContainEqual(
      expect.stringMatching(
        /^bad fixture "broken rows": expected a rejection at field "plan"; got /,
      ),
    );
  });

  it('catches a plugin of the wrong shape', async () => {
    const misshapen = {
      ...conforming,
      name: 'Youth Justice',
      agencyKind: 'YOUTH_OFFENDING',
      contentTypes: ['text/csv'],
    } as unknown as AgencyPlugin;

    const failures = await checkConformance(misshapen, fixtures);

    expect(failures).toEqual(
      expect.arrayContaining([
        'shape: name "Youth Justice" must be kebab-case (lower-case letters, digits, hyphens)',
        expect.stringMatching(
          /^shape: agencyKind "YOUTH_OFFENDING" is not an AgencyKind \(POLICE, /,
        ),
        'shape: fixture "cases and concerns" is application/x-ndjson, which is not among contentTypes (text/csv)',
      ]),
    );
  });

  it('catches a parse that throws on an empty body, the same way on every run', async () => {
    const fussy: AgencyPlugin<YouthJusticeRow> = {
      ...conforming,
      async *parse(body, context) {
        let items = 0;
        for await (const item of conforming.parse(body, context)) {
          items++;
          yield item;
        }
        // The bug: an empty export deserves a problem (or nothing), not an exception.
        if (items === 0) throw new Error('the export is empty');
      },
    };

    const first = await checkConformance(fussy, fixtures);
    const second = await checkConformance(fussy, fixtures);

    expect(first).toContainEqual(
      expect.stringMatching(/^robustness: "broken rows" .*: parse threw: the export is empty$/),
    );
    expect(second).toEqual(first);
  });
});
