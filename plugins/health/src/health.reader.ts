import type { SourceItem } from '@hub/plugin-sdk';
import type { BodyEvent } from './body.events.js';
import { isObject, type JsonObject } from './fhir.readers.js';
import type { ResolvedHealthOptions } from './health.options.js';
import type { HealthSource, ReferenceFacts } from './health.source.js';
import { ReferenceIndex } from './reference.index.js';
import { containedFacts, factsOf, followedReferences } from './resource.facts.js';
import { resourceSourceId } from './source-id.js';

/** Bundle types whose entries are read; the README says why the others are not. */
export const READ_BUNDLE_TYPES = ['collection', 'transaction', 'batch', 'searchset', 'message'];

/**
 * Turns what a JSON or XML reader found into source records: one per Bundle entry (or the single
 * resource), each with the facts of the resources it refers to, resolved from those earlier in
 * the body. Problems with one entry are reported and the rest is read; a problem with the body as
 * a whole (a Bundle type not read, malformed JSON or XML) is the last item.
 */
export async function* readHealthBody(
  events: AsyncIterable<BodyEvent>,
  options: ResolvedHealthOptions,
): AsyncGenerator<SourceItem<HealthSource>> {
  const index = new ReferenceIndex(options.maxIndexedResources);
  for await (const event of events) {
    switch (event.type) {
      case 'fatal':
        yield { type: 'problem', field: event.field, message: event.message };
        return;
      case 'bundle': {
        const problem = bundleTypeProblem(event.bundleType);
        if (problem) {
          yield { type: 'problem', field: 'type', message: problem };
          return;
        }
        break;
      }
      case 'entry':
        yield entryItem(event.entry, event.entryIndex, index, options);
        break;
      case 'resource':
        yield resourceItem(
          event.resource as JsonObject,
          null,
          undefined,
          undefined,
          index,
          options,
        );
        break;
    }
  }
}

function bundleTypeProblem(bundleType: unknown): string | undefined {
  if (bundleType === undefined) return 'the Bundle has no type';
  if (typeof bundleType === 'string' && READ_BUNDLE_TYPES.includes(bundleType)) return undefined;
  return (
    `a Bundle of type ${JSON.stringify(bundleType)} is not read: send a ` +
    `${READ_BUNDLE_TYPES.join(', ')} Bundle`
  );
}

function entryItem(
  entry: unknown,
  entryIndex: number,
  index: ReferenceIndex,
  options: ResolvedHealthOptions,
): SourceItem<HealthSource> {
  const at = `entry[${entryIndex}]`;
  if (!isObject(entry)) return { type: 'problem', field: at, message: 'must be an object' };
  const fullUrl = typeof entry.fullUrl === 'string' ? entry.fullUrl : undefined;
  const request = isObject(entry.request)
    ? {
        ...(typeof entry.request.method === 'string' ? { method: entry.request.method } : {}),
        ...(typeof entry.request.url === 'string' ? { url: entry.request.url } : {}),
      }
    : undefined;
  const resource = entry.resource;
  if (resource === undefined || resource === null) {
    if (request?.method) {
      return {
        type: 'record',
        sourceId: request.url || fullUrl || at,
        record: { resource: null, entryIndex, ...(fullUrl ? { fullUrl } : {}), request, refs: {} },
      };
    }
    return { type: 'problem', field: `${at}.resource`, message: 'the entry has no resource' };
  }
  if (!isObject(resource) || typeof resource.resourceType !== 'string') {
    return {
      type: 'problem',
      field: `${at}.resource`,
      message: 'must be a FHIR resource, with a resourceType',
    };
  }
  return resourceItem(resource, entryIndex, fullUrl, request, index, options);
}

function resourceItem(
  resource: JsonObject,
  entryIndex: number | null,
  fullUrl: string | undefined,
  request: HealthSource['request'],
  index: ReferenceIndex,
  options: ResolvedHealthOptions,
): SourceItem<HealthSource> {
  const sourceId =
    resourceSourceId(resource, fullUrl) ??
    (entryIndex === null ? String(resource.resourceType) : `entry[${entryIndex}]`);
  // Null-prototype, as the keys are references from the body.
  const refs: Record<string, ReferenceFacts> = Object.create(null);
  for (const reference of followedReferences(resource)) {
    const facts = reference.startsWith('#')
      ? containedFacts(resource, resourceSourceId(resource, fullUrl), reference, options)
      : index.lookup(reference);
    if (facts) refs[reference] = facts;
  }
  const facts = factsOf(resource, fullUrl, refs, options);
  if (facts) index.add(resource, fullUrl, facts);
  const record: HealthSource = {
    resource,
    entryIndex,
    ...(fullUrl !== undefined ? { fullUrl } : {}),
    ...(request !== undefined ? { request } : {}),
    refs,
  };
  return { type: 'record', sourceId, record };
}
