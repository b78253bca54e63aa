import { reject, skip, type MapResult } from '@hub/plugin-sdk';
import { mapThread } from './challenge.mapper.js';
import { mapFlag } from './flag.mapper.js';
import type { ResolvedHealthOptions } from './health.options.js';
import type { HealthSource } from './health.source.js';
import { mapPatient } from './patient.mapper.js';

/** Resource types the plugin maps; a DELETE of one is rejected, of anything else skipped. */
const MAPPED = new Set(['Patient', 'Flag', 'Communication', 'Task']);

/** Resource types read only to resolve references. */
const LOOKED_UP = new Set(['Practitioner', 'Organization']);

/** Maps one source record of a FHIR body; never throws. */
export function mapHealthSource(source: HealthSource, options: ResolvedHealthOptions): MapResult {
  try {
    const resource = source.resource;
    if (resource === null) return mapRequestOnly(source);
    switch (resource.resourceType) {
      case 'Patient':
        return mapPatient(resource, source.fullUrl, options);
      case 'Flag':
        return mapFlag(source, options);
      case 'Communication':
      case 'Task':
        return mapThread(source, options);
      default: {
        const type = String(resource.resourceType);
        return LOOKED_UP.has(type)
          ? skip(`${type} resources are read only for the references to them`)
          : skip(`the health plugin does not read ${type} resources`);
      }
    }
  } catch (error) {
    // A bug, not bad input: still a rejection of this record, never a failed body.
    return reject(
      'resource',
      `could not be read: ${error instanceof Error ? error.message : error}`,
    );
  }
}

/**
 * An entry with a request and no resource (a DELETE or a GET in a transaction or batch). The
 * hub keeps what was ingested (its record is append-only), so a DELETE of something the plugin
 * maps is rejected, for a person to withdraw or correct it in the hub; anything else is skipped.
 */
function mapRequestOnly(source: HealthSource): MapResult {
  const method = source.request?.method ?? '';
  const url = source.request?.url ?? '';
  const type = /^([A-Z][A-Za-z]+)(?:[/?]|$)/.exec(url)?.[1];
  if (method === 'DELETE' && type !== undefined && MAPPED.has(type)) {
    return reject(
      'request.method',
      `DELETE ${url} is not applied: the hub keeps what was ingested; withdraw or correct it in ` +
        'the hub',
    );
  }
  return skip(`a ${method || 'request'} entry without a resource${type ? ` (${type})` : ''}`);
}
