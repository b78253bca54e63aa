import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { healthPlugin } from './health.plugin.js';
import { JSON_TYPE, XML_TYPE, fixture, readItems, type ReadItem } from './health.test-helpers.js';

const summary = (items: ReadItem[]) =>
  items.map((item) =>
    item.type === 'problem'
      ? `problem ${item.field}: ${item.message}`
      : `${item.mapped.outcome} ${item.sourceId}`,
  );

describe('XML that tries to expand entities or read files', () => {
  const directory = mkdtempSync(join(tmpdir(), 'health-xxe-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('stops at the DOCTYPE of a billion-laughs bomb with one body problem', async () => {
    const items = await readItems(healthPlugin(), fixture('xml-bomb.xml'), XML_TYPE);
    expect(items).toEqual([
      { type: 'problem', field: 'body', message: expect.stringMatching(/^DOCTYPE is not allowed/) },
    ]);
  });

  it('never reads the file an external entity names', async () => {
    const secret = `secret-${process.pid}-${Date.now()}`;
    const file = join(directory, 'secret.txt');
    writeFileSync(file, secret);
    for (const declaration of [
      `<!ENTITY secret SYSTEM "${pathToFileURL(file).href}">`,
      `<!ENTITY % remote SYSTEM "${pathToFileURL(file).href}"> %remote;`,
    ]) {
      const body =
        `<?xml version="1.0"?><!DOCTYPE Patient [${declaration}]>` +
        '<Patient xmlns="http://hl7.org/fhir"><id value="x"/><name><family value="&secret;"/>' +
        '</name></Patient>';
      const items = await readItems(healthPlugin(), body, XML_TYPE);
      expect(summary(items)).toEqual([
        expect.stringMatching(/^problem body: DOCTYPE is not allowed/),
      ]);
      expect(JSON.stringify(items)).not.toContain(secret);
    }
    const fixed = await readItems(healthPlugin(), fixture('xml-external-entity.xml'), XML_TYPE);
    expect(summary(fixed)).toEqual([
      expect.stringMatching(/^problem body: DOCTYPE is not allowed/),
    ]);
  });

  it('leaves the request body intact when it stops reading early', async () => {
    const body = new PassThrough();
    body.end(fixture('xml-bomb.xml'));
    await readItems(healthPlugin(), body, XML_TYPE);
    expect(body.destroyed).toBe(false);
  });
});

describe('bodies split anywhere in transit', () => {
  it('reads characters split across chunks, in JSON and in XML', async () => {
    const name = 'Zoë Ångström-O’Neill 李';
    const json = JSON.stringify({ resourceType: 'Patient', id: 'z', name: [{ text: name }] });
    const xml = `<Patient xmlns="http://hl7.org/fhir"><id value="z"/><name><text value="${name}"/></name></Patient>`;
    for (const [body, type] of [
      [json, JSON_TYPE],
      [xml, XML_TYPE],
    ] as const) {
      for (const chunk of [1, 2, 3]) {
        const items = await readItems(healthPlugin(), body, type, chunk);
        expect(items[0], `${type} in ${chunk}-byte chunks`).toMatchObject({
          mapped: { records: [{ child: { name } }] },
        });
      }
    }
  });

  it('reads a JSON Bundle whose entries come before its type, holding them until it ends', async () => {
    const body =
      '{"entry":[{"resource":{"resourceType":"Patient","id":"a","name":[{"text":"A"}]}}],' +
      '"type":"collection","resourceType":"Bundle"}';
    expect(summary(await readItems(healthPlugin(), body, JSON_TYPE))).toEqual([
      'records Patient/a',
    ]);
    const history = body.replace('"collection"', '"history"');
    expect(summary(await readItems(healthPlugin(), history, JSON_TYPE))).toEqual([
      expect.stringMatching(/^problem type: a Bundle of type "history" is not read/),
    ]);
  });
});

describe('bodies broken part-way', () => {
  it.each([
    [
      'malformed.json',
      JSON_TYPE,
      [
        'records Patient/child-1',
        'skipped Practitioner/gp-1',
        /^problem body: the JSON is malformed at byte 1750 \(unexpected string\)$/,
      ],
    ],
    [
      'truncated.json',
      JSON_TYPE,
      [
        'records Patient/child-1',
        'skipped Practitioner/gp-1',
        /^problem body: the body ends at byte \d+ before the JSON is complete$/,
      ],
    ],
    [
      'malformed.xml',
      XML_TYPE,
      [
        'records Patient/child-1',
        'skipped Practitioner/gp-1',
        /^problem body: the XML is malformed at line 69, column \d+: unexpected close tag$/,
      ],
    ],
    [
      'truncated.xml',
      XML_TYPE,
      [
        'records Patient/child-1',
        'skipped Practitioner/gp-1',
        'skipped Organization/csc-leeds',
        /^problem body: the body ends before the XML is complete \(unclosed tag: meta, at line \d+, column \d+\)$/,
      ],
    ],
  ] as const)(
    '%s: the records before the break, then one problem saying where',
    async (name, type, expected) => {
      const whole = await readItems(healthPlugin(), fixture(name), type);
      expect(summary(whole)).toEqual(
        expected.map((line) => (typeof line === 'string' ? line : expect.stringMatching(line))),
      );
      // The same, to the byte, however the body is split in transit.
      expect(await readItems(healthPlugin(), fixture(name), type, 1)).toEqual(whole);
      expect(await readItems(healthPlugin(), fixture(name), type, 7)).toEqual(whole);
    },
  );

  it('names the byte where the JSON breaks', async () => {
    const body =
      '{"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"Basic"}} x]}';
    const items = await readItems(healthPlugin(), body, JSON_TYPE);
    expect(summary(items)).toEqual([
      'skipped entry[0]',
      `problem body: the JSON is malformed at byte ${body.indexOf(' x') + 1} (unexpected "x")`,
    ]);
  });

  it('says an empty body, a JSON array or a foreign XML root is not a FHIR resource', async () => {
    for (const type of [JSON_TYPE, XML_TYPE]) {
      expect(summary(await readItems(healthPlugin(), '', type))).toEqual([
        'problem body: the body is empty',
      ]);
    }
    expect(summary(await readItems(healthPlugin(), '[1,2]', JSON_TYPE))).toEqual([
      'problem body: the body must be a FHIR resource: a JSON object with a resourceType',
    ]);
    expect(
      summary(
        await readItems(healthPlugin(), '<html xmlns="http://www.w3.org/1999/xhtml"/>', XML_TYPE),
      ),
    ).toEqual(['problem body: the root element <html> is not in the FHIR namespace']);
  });

  it('ends the body at an entry larger than maxEntryBytes, after the entries before it', async () => {
    const entry = (family: string) => ({
      resource: { resourceType: 'Patient', id: family.slice(0, 8), name: [{ family }] },
    });
    const body = JSON.stringify({
      resourceType: 'Bundle',
      type: 'collection',
      entry: [entry('Small'), entry('Large'.repeat(100_000)), entry('Never')],
    });
    const items = await readItems(
      healthPlugin({ maxEntryBytes: 64 * 1024 }),
      body,
      JSON_TYPE,
      4096,
    );
    const expected = [
      'records Patient/Small',
      'problem entry[1]: the entry is larger than 65536 bytes (the maxEntryBytes option); the rest of the body is not read',
    ];
    expect(summary(items)).toEqual(expected);
    const xml =
      '<Bundle xmlns="http://hl7.org/fhir"><type value="collection"/>' +
      ['Small', 'Large'.repeat(100_000), 'Never']
        .map(
          (family) =>
            `<entry><resource><Patient><id value="${family.slice(0, 8)}"/><name><family value="${family}"/></name></Patient></resource></entry>`,
        )
        .join('') +
      '</Bundle>';
    const fromXml = await readItems(
      healthPlugin({ maxEntryBytes: 64 * 1024 }),
      xml,
      XML_TYPE,
      4096,
    );
    expect(summary(fromXml)).toEqual(expected);
  });
});
