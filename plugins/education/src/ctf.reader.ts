import type { Readable } from 'node:stream';
import type { SourceItem } from '@hub/plugin-sdk';
import { SaxesParser, type SaxesTagNS } from 'saxes';
import { bodyText, reason } from './body-text.js';

/** One `CTfile/CTFpupilData/Pupil` element: the values the plugin reads, as the XML has them. */
export interface CtfPupil {
  readonly format: 'ctf';
  /** The pupil's position among the body's pupils, from 0. */
  readonly position: number;
  /** Text of the elements read, by path below `Pupil` (see {@link CTF_FIELDS}). */
  readonly values: Readonly<Partial<Record<CtfField, string>>>;
  /** Elements read that appear more than once in this pupil. */
  readonly repeated: readonly CtfField[];
}

/** The elements read, by their path below `Pupil`. Everything else is passed over unread. */
export const CTF_FIELDS = [
  'UPN',
  'Surname',
  'Forename',
  'DOB',
  'BasicDetails/MiddleNames',
] as const;
export type CtfField = (typeof CTF_FIELDS)[number];

/**
 * An element's text is kept up to this many characters: enough to see that a value is too long
 * for the hub, never a whole oversized body in memory.
 */
const MAX_TEXT = 4_001;

/** Thrown inside the parser's handlers to stop it at once; never leaves the reader. */
class StopReading extends Error {}

/**
 * Streams the pupils out of a Common Transfer File. Only `CTfile/CTFpupilData/Pupil` elements
 * are read (names compared without namespace prefix); a pupil is yielded when its element
 * closes, so what came before a malformed or truncated part is kept. A DOCTYPE stops the read at
 * once: the reader has no DTD support, so no entity is ever expanded or fetched.
 */
export async function* readCtf(body: Readable): AsyncGenerator<SourceItem<CtfPupil>> {
  const ready: SourceItem<CtfPupil>[] = [];
  const parser = new SaxesParser({ xmlns: true, position: true });
  const path: string[] = [];
  let pupil: { values: Partial<Record<CtfField, string>>; repeated: Set<CtfField> } | undefined;
  let field: CtfField | undefined;
  let position = 0;

  const stop = (message: string): never => {
    ready.push({ type: 'problem', field: 'body', message });
    throw new StopReading();
  };
  const at = () => `line ${parser.line}, column ${parser.column + 1}`;

  parser.on('xmldecl', (decl) => {
    if (decl.encoding !== undefined && !/^utf-?8$/i.test(decl.encoding)) {
      stop(`the XML declares encoding ${decl.encoding}: only UTF-8 is read`);
    }
  });
  parser.on('doctype', () => {
    stop(`DOCTYPE is not allowed (${at()}): a CTF has none, and entities are never expanded`);
  });
  parser.on('opentag', (tag: SaxesTagNS) => {
    path.push(tag.local);
    if (path.length === 1 && tag.local !== 'CTfile') {
      stop(`this is not a Common Transfer File: the root element is <${tag.name}>, not <CTfile>`);
    }
    if (path.length === 3 && tag.local === 'Pupil' && path[1] === 'CTFpupilData') {
      pupil = { values: {}, repeated: new Set() };
      return;
    }
    if (pupil === undefined) return;
    const below = path.slice(3).join('/');
    if ((CTF_FIELDS as readonly string[]).includes(below)) {
      field = below as CtfField;
      if (pupil.values[field] !== undefined) pupil.repeated.add(field);
      pupil.values[field] = '';
    }
  });
  const onText = (text: string) => {
    if (pupil === undefined || field === undefined) return;
    const sofar = pupil.values[field] ?? '';
    if (sofar.length < MAX_TEXT) pupil.values[field] = (sofar + text).slice(0, MAX_TEXT);
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.on('closetag', () => {
    field = undefined;
    if (pupil !== undefined && path.length === 3) {
      const upn = pupil.values.UPN?.trim();
      ready.push({
        type: 'record',
        // A UPN too long to be one would make a poor id in the report.
        sourceId: upn && upn.length <= 13 ? `upn:${upn.toUpperCase()}` : `Pupil[${position}]`,
        record: { format: 'ctf', position, values: pupil.values, repeated: [...pupil.repeated] },
      });
      position += 1;
      pupil = undefined;
    }
    path.pop();
  });
  parser.on('error', (error) => {
    // saxes prefixes its messages with the position, which the problem gives in words.
    stop(`the XML is not well-formed at ${at()}: ${error.message.replace(/^\d+:\d+:\s*/, '')}`);
  });

  try {
    for await (const text of bodyText(body)) {
      parser.write(text);
      yield* ready.splice(0);
    }
    parser.close();
  } catch (error) {
    if (!(error instanceof StopReading)) {
      ready.push({
        type: 'problem',
        field: 'body',
        message: `the body could not be read: ${reason(error)}`,
      });
    }
  }
  yield* ready.splice(0);
}
