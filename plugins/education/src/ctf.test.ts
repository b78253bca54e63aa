import { chunkedBody, outcomes } from '@hub/plugin-sdk/testing';
import { describe, expect, it } from 'vitest';
import { educationPlugin } from './education.plugin.js';
import { UPN_SYSTEM } from './identifier-systems.js';
import { fixture } from './plugin.test-helpers.js';

const plugin = educationPlugin();
const XML = 'application/xml';

describe('education plugin: Common Transfer File', () => {
  it('maps each pupil to a child with the UPN as its identifier', async () => {
    const result = await outcomes(plugin, fixture('ctf-pupils.xml'), XML);
    expect(result).toHaveLength(3);
    expect(result[0]).toEqual({
      sourceId: 'upn:H801200001001',
      outcome: 'records',
      records: [
        {
          kind: 'child',
          sourceId: 'upn:H801200001001',
          sourceVersion: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
          child: {
            name: 'Ellie Marsh',
            dateOfBirth: '2015-03-01',
            identifiers: [{ system: UPN_SYSTEM, value: 'H801200001001' }],
          },
        },
      ],
    });
    // Entities, non-ASCII text split across chunks, CDATA and a temporary UPN.
    expect(
      result.map((r) => 'records' in r && 'child' in r.records[0]! && r.records[0].child.name),
    ).toEqual(['Ellie Marsh', "Tomás O'Connor", 'Ada Nwosu-Baker']);
    expect(result[2]).toMatchObject({ sourceId: 'upn:G80120000101A' });
  });

  it('versions a pupil by the values mapped, so the same pupil in a later CTF is unchanged', async () => {
    const first = await outcomes(plugin, fixture('ctf-pupils.xml'), XML);
    const later = fixture('ctf-pupils.xml')
      .toString('utf8')
      .replace('2026-07-17T15:42:10', '2026-12-01T08:00:00')
      .replace('<NCyearActual>6</NCyearActual>', '<NCyearActual>7</NCyearActual>')
      .replace('<DOB>2014-11-20</DOB>', '<DOB>2014-11-21</DOB>');
    const second = await outcomes(plugin, later, XML);
    const version = (o: (typeof first)[number]) =>
      'records' in o ? o.records[0]!.sourceVersion : undefined;
    expect(version(second[0]!)).toBe(version(first[0]!));
    expect(version(second[1]!)).not.toBe(version(first[1]!));
  });

  it('puts middle names into the name only when asked', async () => {
    const withMiddle = educationPlugin({ includeMiddleNames: true });
    const [ellie] = await outcomes(withMiddle, fixture('ctf-pupils.xml'), XML);
    expect(ellie).toMatchObject({ records: [{ child: { name: 'Ellie May Marsh' } }] });
  });

  it('rejects a pupil whose UPN fails its check letter, naming UPN, and maps the others', async () => {
    const result = await outcomes(plugin, fixture('ctf-bad-check-letter.xml'), XML);
    expect(result.map((r) => ('outcome' in r ? r.outcome : r.type))).toEqual([
      'records',
      'rejected',
      'records',
    ]);
    expect(result[1]).toEqual({
      sourceId: 'upn:Z801200001001',
      outcome: 'rejected',
      field: 'UPN',
      message: 'UPN fails its check letter',
    });
  });

  it('rejects a pupil without a required element or with one twice, naming the element', async () => {
    const body = ctf(
      '<Pupil><UPN>N380209326102</UPN><Forename>Sam</Forename><DOB>2015-01-15</DOB></Pupil>',
      '<Pupil><UPN>N380209326102</UPN><Surname>Hughes</Surname><Forename>Sam</Forename><DOB>15/01/2015</DOB></Pupil>',
      '<Pupil><Surname>Hughes</Surname><Forename>Sam</Forename><DOB>2015-01-15</DOB></Pupil>',
      '<Pupil><UPN>N380209326102</UPN><UPN>C380209326103</UPN><Surname>Hughes</Surname><Forename>Sam</Forename><DOB>2015-01-15</DOB></Pupil>',
    );
    const result = await outcomes(plugin, body, XML);
    expect(result).toEqual([
      {
        sourceId: 'upn:N380209326102',
        outcome: 'rejected',
        field: 'Surname',
        message: 'Surname is missing',
      },
      {
        sourceId: 'upn:N380209326102',
        outcome: 'rejected',
        field: 'DOB',
        message: 'DOB must be a calendar date, YYYY-MM-DD',
      },
      { sourceId: 'Pupil[2]', outcome: 'rejected', field: 'UPN', message: 'UPN is missing' },
      {
        sourceId: 'upn:C380209326103',
        outcome: 'rejected',
        field: 'UPN',
        message: 'UPN appears more than once',
      },
    ]);
  });

  it('reads a CTF whose elements are in a namespace', async () => {
    const body =
      '<c:CTfile xmlns:c="http://www.dcsf.gov.uk/schemas/cbds"><c:CTFpupilData><c:Pupil>' +
      '<c:UPN>N380209326102</c:UPN><c:Surname>Hughes</c:Surname><c:Forename>Sam</c:Forename>' +
      '<c:DOB>2015-01-15</c:DOB></c:Pupil></c:CTFpupilData></c:CTfile>';
    const result = await outcomes(plugin, body, 'text/xml');
    expect(result).toMatchObject([
      { outcome: 'records', records: [{ child: { name: 'Sam Hughes' } }] },
    ]);
  });

  it('yields the pupils before a truncation, then one body problem with the position', async () => {
    const result = await outcomes(plugin, fixture('ctf-truncated.xml'), XML);
    expect(result).toHaveLength(2);
    expect(result[0]).toMatchObject({ sourceId: 'upn:N380209326102', outcome: 'records' });
    expect(result[1]).toEqual({
      type: 'problem',
      field: 'body',
      message: 'the XML is not well-formed at line 16, column 1: unclosed tag: Surname',
    });
  });

  it('yields the pupils before malformed XML, then one body problem with line and column', async () => {
    const result = await outcomes(plugin, fixture('ctf-malformed.xml'), XML);
    expect(result).toHaveLength(2);
    expect(result[0]).toMatchObject({ sourceId: 'upn:N380209326102', outcome: 'records' });
    expect(result[1]).toMatchObject({ type: 'problem', field: 'body' });
    expect((result[1] as { message: string }).message).toMatch(
      /^the XML is not well-formed at line 12, column \d+: unexpected close tag/,
    );
  });

  it('stops at a DOCTYPE with one problem and expands nothing (billion laughs)', async () => {
    const result = await outcomes(plugin, fixture('ctf-xml-bomb.xml'), XML);
    expect(result).toEqual([
      {
        type: 'problem',
        field: 'body',
        message: expect.stringMatching(/^DOCTYPE is not allowed \(line \d+, column \d+\)/),
      },
    ]);
  });

  it('stops at a DOCTYPE declaring an external entity, and reads no file', async () => {
    const result = await outcomes(plugin, fixture('ctf-external-entity.xml'), XML);
    expect(result).toHaveLength(1);
    expect(result[0]).toMatchObject({
      type: 'problem',
      field: 'body',
      message: /^DOCTYPE is not allowed/,
    });
    expect(JSON.stringify(result)).not.toContain('root:');
  });

  it('answers a body that is not a CTF, not UTF-8, or empty with one body problem', async () => {
    const notCtf = await outcomes(plugin, '<Patient><id value="1"/></Patient>', XML);
    expect(notCtf).toEqual([
      {
        type: 'problem',
        field: 'body',
        message: 'this is not a Common Transfer File: the root element is <Patient>, not <CTfile>',
      },
    ]);
    const latin1 = await outcomes(
      plugin,
      '<?xml version="1.0" encoding="ISO-8859-1"?><CTfile/>',
      XML,
    );
    expect(latin1).toEqual([
      {
        type: 'problem',
        field: 'body',
        message: 'the XML declares encoding ISO-8859-1: only UTF-8 is read',
      },
    ]);
    const badBytes = Buffer.concat([
      Buffer.from(ctf().slice(0, 40)),
      Buffer.from([0xff, 0xfe]),
      Buffer.from(ctf().slice(40)),
    ]);
    expect(await outcomes(plugin, badBytes, XML)).toEqual([
      {
        type: 'problem',
        field: 'body',
        message: expect.stringMatching(/^the body could not be read: /),
      },
    ]);
    expect(await outcomes(plugin, '', XML)).toEqual([
      {
        type: 'problem',
        field: 'body',
        message: expect.stringMatching(/^the XML is not well-formed/),
      },
    ]);
  });

  it('reads the same however the body is split', async () => {
    const whole = await outcomes(plugin, chunkedBody(fixture('ctf-pupils.xml'), 1 << 20), XML);
    const bytes = await outcomes(plugin, chunkedBody(fixture('ctf-pupils.xml'), 1), XML);
    expect(bytes).toEqual(whole);
  });
});

/** A minimal CTF around the given `Pupil` elements. */
function ctf(...pupils: string[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<CTfile><Header><DocumentName>Common Transfer File</DocumentName></Header><CTFpupilData>${pupils.join('')}</CTFpupilData></CTfile>`;
}
