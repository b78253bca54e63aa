import { AgencyKind, type AgencyPlugin, type MapContext, type ParseContext } from '@hub/plugin-sdk';
import type { Readable } from 'node:stream';
import { bodyEvents } from './body.events.js';
import { FhirJsonParser } from './fhir-json.parser.js';
import { FhirXmlParser } from './fhir-xml.parser.js';
import { resolveHealthOptions, type HealthPluginOptions } from './health.options.js';
import { mapHealthSource } from './health.mapper.js';
import { readHealthBody } from './health.reader.js';
import type { HealthSource } from './health.source.js';

/** FHIR's own media types, and the generic ones integration engines often send instead. */
const JSON_TYPES = ['application/fhir+json', 'application/json'];
const XML_TYPES = ['application/fhir+xml', 'application/xml'];

/**
 * The health reference plugin: HL7 FHIR R4 bodies, JSON or XML (a Bundle of type collection,
 * transaction, batch, searchset or message, or a single resource). Patients become children,
 * child-protection Flags (CP-IS) cases, and Communications or Tasks marked as challenges
 * disagreements, with their replies as records on them. See the package README.
 */
export function healthPlugin(options?: HealthPluginOptions): AgencyPlugin<HealthSource> {
  const resolved = resolveHealthOptions(options);
  return {
    name: 'health',
    agencyKind: AgencyKind.HEALTH,
    contentTypes: [...JSON_TYPES, ...XML_TYPES],
    description:
      'HL7 FHIR R4 (JSON or XML): Patients with NHS numbers, CP-IS child-protection Flags, and ' +
      'Communications or Tasks that challenge another agency',
    /** Streams the body's resources, JSON or XML by the content type; never throws. */
    parse(body: Readable, context: ParseContext) {
      const parser = XML_TYPES.includes(context.contentType)
        ? new FhirXmlParser(resolved.maxEntryBytes)
        : new FhirJsonParser(resolved.maxEntryBytes);
      return readHealthBody(bodyEvents(body, parser), resolved);
    },
    /** Maps one resource to canonical records, or says why it is skipped or rejected. */
    map(source: HealthSource, _context: MapContext) {
      return mapHealthSource(source, resolved);
    },
  };
}
