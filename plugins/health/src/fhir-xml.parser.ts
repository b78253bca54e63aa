import { StringDecoder } from 'node:string_decoder';
import { SaxesParser, type SaxesTagNS } from 'saxes';
import { tooLarge, type BodyEvent, type PushParser } from './body.events.js';
import type { JsonObject } from './fhir.readers.js';
import { repeatsInDataType, repeatsInResource } from './fhir-xml.shape.js';

/** FHIR's XML namespace; elements in no namespace are read too, as many exports omit it. */
export const FHIR_NAMESPACE = 'http://hl7.org/fhir';

/** An element being read, innermost last. */
type Frame =
  /** An element whose content is not read (narrative XHTML, Bundle.link, …). */
  | { kind: 'skip' }
  /** The root Bundle: its `type` is read and its entries are handed on one by one. */
  | { kind: 'bundle' }
  /** A Bundle entry being built. */
  | { kind: 'entry'; object: JsonObject }
  /** A resource (with its type) or a data type being built. */
  | { kind: 'object'; object: JsonObject; resourceType?: string }
  /** `entry.resource` or `contained`: holds one resource element. */
  | { kind: 'wrapper'; into: JsonObject; key: string; repeats: boolean; filled: boolean }
  /** A primitive (`<birthDate value="…"/>`), whose children are its extensions. */
  | { kind: 'primitive'; into: JsonObject; key: string; repeats: boolean; extras: JsonObject };

/**
 * Reads a FHIR XML body as it arrives, with saxes, converting each resource to the FHIR JSON
 * shape (`<birthDate value="2015-03-01"/>` is `"birthDate": "2015-03-01"`, repeating elements are
 * arrays). A Bundle's entries are handed on one by one, so memory holds one entry at a time.
 *
 * A DOCTYPE ends the body at once: no entity is ever declared, so none is expanded (no XML bomb)
 * and nothing outside the body is read (no external entity). saxes itself expands only XML's
 * five predefined entities and character references.
 */
export class FhirXmlParser implements PushParser {
  readonly #sax = new SaxesParser({ xmlns: true, position: true });
  readonly #decoder = new StringDecoder('utf8');
  readonly #events: BodyEvent[] = [];
  readonly #stack: Frame[] = [];
  #stopped = false;
  #ending = false;
  #fed = 0;
  #mark = 0;
  #rootSeen = false;
  #bundleType: unknown = undefined;
  #announced = false;
  #entriesEmitted = 0;

  constructor(private readonly maxEntryBytes: number) {
    this.#sax.on('doctype', () =>
      this.#fail(
        'body',
        'DOCTYPE is not allowed: a FHIR body declares no DTD or entities, and the plugin reads ' +
          'none (no entity expansion, no external file)',
      ),
    );
    this.#sax.on('error', (error) => this.#malformed(error));
    this.#sax.on('opentag', (tag) => this.#open(tag as SaxesTagNS));
    this.#sax.on('closetag', () => this.#close());
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  write(chunk: Uint8Array): void {
    if (this.#stopped || chunk.length === 0) return;
    this.#fed += chunk.length;
    this.#sax.write(this.#decoder.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length)));
    if (!this.#stopped && this.#fed - this.#mark > this.maxEntryBytes) {
      this.#stopped = true;
      this.#events.push(
        tooLarge(this.#announced ? this.#entriesEmitted : null, this.maxEntryBytes),
      );
    }
  }

  end(): void {
    if (this.#stopped) return;
    if (this.#fed === 0) {
      this.#fail('body', 'the body is empty');
      return;
    }
    this.#ending = true;
    this.#sax.write(this.#decoder.end());
    this.#sax.close();
  }

  take(): BodyEvent[] {
    return this.#events.splice(0);
  }

  #open(tag: SaxesTagNS): void {
    if (this.#stopped) return;
    const parent = this.#stack.at(-1);
    const name = tag.local;
    const ours = tag.uri === FHIR_NAMESPACE || tag.uri === '';
    if (parent === undefined) {
      this.#rootSeen = true;
      if (!ours) {
        this.#fail('body', `the root element <${tag.name}> is not in the FHIR namespace`);
      } else if (name === 'Bundle') {
        this.#stack.push({ kind: 'bundle' });
      } else {
        this.#stack.push({ kind: 'object', object: { resourceType: name }, resourceType: name });
      }
      return;
    }
    // Content the plugin does not read, and names that would touch an object's prototype.
    if (parent.kind === 'skip' || !ours || name === '__proto__') {
      this.#stack.push({ kind: 'skip' });
      return;
    }
    const value = tag.attributes.value?.value;
    switch (parent.kind) {
      case 'bundle':
        if (name === 'type') {
          this.#bundleType = value;
          this.#stack.push({ kind: 'skip' });
        } else if (name === 'entry') {
          this.#announce();
          this.#stack.push({ kind: 'entry', object: {} });
        } else {
          this.#stack.push({ kind: 'skip' });
        }
        return;
      case 'wrapper': {
        if (parent.filled) {
          this.#stack.push({ kind: 'skip' });
          return;
        }
        parent.filled = true;
        const resource: JsonObject = { resourceType: name };
        put(parent.into, parent.key, resource, parent.repeats);
        this.#stack.push({ kind: 'object', object: resource, resourceType: name });
        return;
      }
      case 'entry':
      case 'object':
      case 'primitive': {
        const into = parent.kind === 'primitive' ? parent.extras : parent.object;
        const resourceType = parent.kind === 'object' ? parent.resourceType : undefined;
        const repeats =
          resourceType === undefined
            ? repeatsInDataType(name)
            : repeatsInResource(resourceType, name);
        if (
          (parent.kind === 'entry' && name === 'resource') ||
          (resourceType !== undefined && name === 'contained')
        ) {
          this.#stack.push({ kind: 'wrapper', into, key: name, repeats, filled: false });
          return;
        }
        if (value !== undefined) {
          put(into, name, value, repeats);
          const extras: JsonObject = {};
          const id = tag.attributes.id?.value;
          if (id !== undefined) extras.id = id;
          this.#stack.push({ kind: 'primitive', into, key: name, repeats, extras });
          return;
        }
        const object: JsonObject = {};
        for (const attribute of ['id', 'url'] as const) {
          const text = tag.attributes[attribute]?.value;
          if (text !== undefined) object[attribute] = text;
        }
        put(into, name, object, repeats);
        this.#stack.push({ kind: 'object', object });
        return;
      }
    }
  }

  #close(): void {
    if (this.#stopped) return;
    const frame = this.#stack.pop();
    if (frame === undefined) return;
    if (frame.kind === 'primitive' && !frame.repeats && Object.keys(frame.extras).length > 0) {
      // JSON keeps a primitive's id and extensions beside it, under `_name`.
      put(frame.into, `_${frame.key}`, frame.extras, false);
    }
    if (frame.kind === 'entry') {
      this.#events.push({ type: 'entry', entryIndex: this.#entriesEmitted++, entry: frame.object });
      this.#mark = this.#fed;
    }
    if (this.#stack.length === 0) {
      if (frame.kind === 'bundle') this.#announce();
      if (frame.kind === 'object') this.#events.push({ type: 'resource', resource: frame.object });
    }
  }

  #announce(): void {
    if (this.#announced) return;
    this.#announced = true;
    this.#events.push({ type: 'bundle', bundleType: this.#bundleType });
  }

  #malformed(error: Error): void {
    if (this.#stopped) return;
    const match = /^(\d+):(\d+): (.*)$/s.exec(error.message);
    const where = match ? `line ${match[1]}, column ${match[2]}` : 'the end';
    const why = (match?.[3] ?? error.message).replace(/\.$/, '');
    this.#fail(
      'body',
      this.#ending && (this.#rootSeen || this.#stack.length > 0)
        ? `the body ends before the XML is complete (${why}, at ${where})`
        : `the XML is malformed at ${where}: ${why}`,
    );
  }

  #fail(field: string, message: string): void {
    this.#stopped = true;
    this.#events.push({ type: 'fatal', field, message });
  }
}

/** Sets a converted element: repeating ones (and a single one given twice) become arrays. */
function put(into: JsonObject, key: string, value: unknown, repeats: boolean): void {
  const existing = into[key];
  if (repeats) {
    if (Array.isArray(existing)) existing.push(value);
    else into[key] = [value];
  } else if (existing === undefined) {
    into[key] = value;
  } else {
    into[key] = Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
}
