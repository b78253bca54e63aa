import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { healthPlugin } from './health.plugin.js';
import { JSON_TYPE, XML_TYPE, readItems } from './health.test-helpers.js';
import { NHS_NUMBER_SYSTEM } from './nhs-number.validator.js';

/** The i-th valid NHS number of a run (nine digits from i, then the check digit; 10s skipped). */
function nhsNumber(i: number): string {
  for (let base = 100_000_000 + i * 3; ; base++) {
    const digits = String(base);
    let sum = 0;
    for (let n = 0; n < 9; n++) sum += Number(digits[n]) * (10 - n);
    const check = 11 - (sum % 11);
    if (check !== 10) return digits + (check === 11 ? 0 : check);
  }
}

/** Entry i: three Patients, then a CP-IS Flag about the Patient just before it, in turn. */
function resource(i: number): Record<string, unknown> {
  if (i % 4 === 3) {
    return {
      resourceType: 'Flag',
      id: `f${i}`,
      status: 'active',
      code: { coding: [{ system: 'urn:oid:2.16.840.1.113883.2.1.3.2.4.17.469', code: 'CPPI' }] },
      subject: { reference: `Patient/p${i - 1}` },
      period: { start: '2024-01-15' },
    };
  }
  return {
    resourceType: 'Patient',
    id: `p${i}`,
    meta: { versionId: '1' },
    identifier: [{ system: NHS_NUMBER_SYSTEM, value: nhsNumber(i) }],
    name: [{ given: ['Child'], family: `Number${i}` }],
    birthDate: '2015-03-01',
  };
}

/** A Bundle of `count` entries, made as it is read: the whole body never exists at once. */
function jsonBundle(count: number): Readable {
  return Readable.from(
    (function* () {
      yield '{"resourceType":"Bundle","type":"collection","entry":[';
      for (let i = 0; i < count; i++) {
        yield `${i === 0 ? '' : ','}{"fullUrl":"urn:uuid:e-${i}","resource":${JSON.stringify(resource(i))}}`;
      }
      yield ']}';
    })(),
    { objectMode: false },
  );
}

function xmlBundle(count: number): Readable {
  return Readable.from(
    (function* () {
      yield '<Bundle xmlns="http://hl7.org/fhir"><type value="collection"/>';
      for (let i = 0; i < count; i++) {
        const r = resource(i);
        const body =
          r.resourceType === 'Flag'
            ? `<Flag><id value="${r.id}"/><status value="active"/><code><coding>` +
              '<system value="urn:oid:2.16.840.1.113883.2.1.3.2.4.17.469"/><code value="CPPI"/>' +
              `</coding></code><subject><reference value="Patient/p${i - 1}"/></subject>` +
              '<period><start value="2024-01-15"/></period></Flag>'
            : `<Patient><id value="${r.id}"/><meta><versionId value="1"/></meta><identifier>` +
              `<system value="${NHS_NUMBER_SYSTEM}"/><value value="${nhsNumber(i)}"/></identifier>` +
              `<name><family value="Number${i}"/><given value="Child"/></name>` +
              '<birthDate value="2015-03-01"/></Patient>';
        yield `<entry><fullUrl value="urn:uuid:e-${i}"/><resource>${body}</resource></entry>`;
      }
      yield '</Bundle>';
    })(),
    { objectMode: false },
  );
}

/** Reads a body counting outcomes, keeping nothing else (as the runner does). */
async function count(body: Readable, contentType: string, options = {}) {
  const plugin = healthPlugin(options);
  const counts = { records: 0, skipped: 0, rejected: 0, problems: 0, canonical: 0 };
  let index = 0;
  for await (const item of plugin.parse(body, { contentType })) {
    if (item.type === 'problem') {
      counts.problems++;
      continue;
    }
    const mapped = plugin.map(item.record, { index: index++ });
    if (mapped.outcome === 'records') {
      counts.records++;
      counts.canonical += mapped.records.length;
    } else if (mapped.outcome === 'skipped') counts.skipped++;
    else counts.rejected++;
  }
  return counts;
}

// 100,000 entries (about 20 MB of JSON) stream through in a few seconds; the benchmark
// (bench/) measures the time and the memory, which the tests do not assert.
describe('a 100,000-entry Bundle, streamed', () => {
  it('JSON: every entry is read and mapped, each Flag finding its Patient', async () => {
    expect(await count(jsonBundle(100_000), JSON_TYPE)).toEqual({
      records: 100_000,
      skipped: 0,
      rejected: 0,
      problems: 0,
      canonical: 100_000,
    });
  }, 60_000);

  it('XML: the same (20,000 entries here; the benchmark reads 100,000)', async () => {
    expect(await count(xmlBundle(20_000), XML_TYPE)).toEqual({
      records: 20_000,
      skipped: 0,
      rejected: 0,
      problems: 0,
      canonical: 20_000,
    });
  }, 60_000);
});

describe('the reference index', () => {
  it('forgets the oldest resources beyond maxIndexedResources: a later reference to one fails', async () => {
    const body = JSON.stringify({
      resourceType: 'Bundle',
      type: 'collection',
      entry: [0, 1, 2, 4, 5, 6]
        .map((i) => ({ resource: resource(i) }))
        .concat([
          { resource: { ...resource(3), subject: { reference: 'Patient/p0' } } },
          { resource: { ...resource(7), id: 'f-recent', subject: { reference: 'Patient/p6' } } },
        ]),
    });
    const items = await readItems(healthPlugin({ maxIndexedResources: 3 }), body, JSON_TYPE);
    expect(items.slice(-2)).toEqual([
      {
        type: 'record',
        sourceId: 'Flag/f3',
        mapped: {
          outcome: 'rejected',
          field: 'subject',
          message: expect.stringMatching(/^Patient\/p0 is not a Patient earlier in this body/),
        },
      },
      {
        type: 'record',
        sourceId: 'Flag/f-recent',
        mapped: expect.objectContaining({ outcome: 'records' }),
      },
    ]);
    // With the default bound the same body resolves both.
    const all = await readItems(healthPlugin(), body, JSON_TYPE);
    expect(all.slice(-2).map((item) => item.type === 'record' && item.mapped.outcome)).toEqual([
      'records',
      'records',
    ]);
  });
});
