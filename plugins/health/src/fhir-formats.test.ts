import { describe, expect, it } from 'vitest';
import { healthPlugin } from './health.plugin.js';
import { FhirXmlParser } from './fhir-xml.parser.js';
import { JSON_TYPE, XML_TYPE, fixture, readItems, recordsOf } from './health.test-helpers.js';

/** What a body gives, item by item, without the parts that name the format. */
async function outcomes(name: string, contentType: string) {
  return readItems(healthPlugin(), fixture(name), contentType);
}

describe('JSON and XML', () => {
  it.each([
    ['bundle-collection'],
    ['bundle-transaction'],
    ['uk-core/UKCore-Patient-RichardSmith-Example'],
    ['uk-core/UKCore-Patient-BabyPatient-Example'],
  ])('%s gives the same items and canonical records in both formats', async (name) => {
    const json = await outcomes(`${name}.json`, JSON_TYPE);
    const xml = await outcomes(`${name}.xml`, XML_TYPE);
    expect(json.length).toBeGreaterThan(0);
    expect(xml).toEqual(json);
  });

  it('the collection Bundle yields every kind of canonical record', async () => {
    const kinds = recordsOf(await outcomes('bundle-collection.xml', XML_TYPE)).map(
      (record) => (record as { kind: string }).kind,
    );
    expect(kinds).toEqual(['child', 'case', 'disagreement', 'escalation-record']);
  });
});

/** Converts an XML body to the JSON shape with the parser alone. */
function convert(xml: string) {
  const parser = new FhirXmlParser(1 << 20);
  parser.write(Buffer.from(xml));
  parser.end();
  return parser.take();
}

describe('FHIR XML → JSON shape', () => {
  it('makes repeating elements arrays even when they occur once, and reads value attributes', () => {
    const [event] = convert(
      '<Patient xmlns="http://hl7.org/fhir"><id value="p"/><name><family value="Khan"/>' +
        '<given value="Amelia"/></name><birthDate value="2015-03-01"/></Patient>',
    );
    expect(event).toEqual({
      type: 'resource',
      resource: {
        resourceType: 'Patient',
        id: 'p',
        name: [{ family: 'Khan', given: ['Amelia'] }],
        birthDate: '2015-03-01',
      },
    });
  });

  it('keeps a primitive’s extensions under _name, an extension’s url, and skips narrative XHTML', () => {
    const [event] = convert(
      '<Patient xmlns="http://hl7.org/fhir"><text><status value="generated"/>' +
        '<div xmlns="http://www.w3.org/1999/xhtml"><p>Amelia <b>Khan</b></p></div></text>' +
        '<birthDate value="2021-02-11"><extension url="http://hl7.org/fhir/StructureDefinition/patient-birthTime">' +
        '<valueDateTime value="2021-02-11T15:39:00+00:00"/></extension></birthDate></Patient>',
    );
    expect(event).toEqual({
      type: 'resource',
      resource: {
        resourceType: 'Patient',
        text: { status: 'generated' },
        birthDate: '2021-02-11',
        _birthDate: {
          extension: [
            {
              url: 'http://hl7.org/fhir/StructureDefinition/patient-birthTime',
              valueDateTime: '2021-02-11T15:39:00+00:00',
            },
          ],
        },
      },
    });
  });

  it('knows which elements repeat per resource type (Organization.type, not Bundle.type)', () => {
    const events = convert(
      '<Bundle xmlns="http://hl7.org/fhir"><type value="batch"/><entry><resource><Organization>' +
        '<type><text value="x"/></type><name value="A"/></Organization></resource>' +
        '<request><method value="PUT"/><url value="Organization/a"/></request></entry>' +
        '<entry><resource><Task><code><text value="c"/></code><reasonCode><text value="r"/></reasonCode>' +
        '</Task></resource></entry></Bundle>',
    );
    expect(events).toEqual([
      { type: 'bundle', bundleType: 'batch' },
      {
        type: 'entry',
        entryIndex: 0,
        entry: {
          resource: { resourceType: 'Organization', type: [{ text: 'x' }], name: 'A' },
          request: { method: 'PUT', url: 'Organization/a' },
        },
      },
      {
        type: 'entry',
        entryIndex: 1,
        entry: {
          resource: { resourceType: 'Task', code: { text: 'c' }, reasonCode: { text: 'r' } },
        },
      },
    ]);
  });

  it('reads contained resources as an array of resources', () => {
    const [event] = convert(
      '<Communication xmlns="http://hl7.org/fhir"><contained><Practitioner><id value="p"/>' +
        '</Practitioner></contained><sender><reference value="#p"/></sender></Communication>',
    );
    expect(event).toEqual({
      type: 'resource',
      resource: {
        resourceType: 'Communication',
        contained: [{ resourceType: 'Practitioner', id: 'p' }],
        sender: { reference: '#p' },
      },
    });
  });
});
