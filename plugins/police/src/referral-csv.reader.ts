import type { Readable } from 'node:stream';
import { csvRows, type SourceItem } from '@hub/plugin-sdk';
import { reason } from './reason.js';
import type { ReferralSource } from './referral.mapper.js';

/** Columns the header must name: the format's required fields, and those its blocks need. */
export const REQUIRED_COLUMNS = [
  'referralId',
  'lastModified',
  'referredAt',
  'riskGrading',
  'person.personId',
  'person.name',
  'child.personId',
  'child.name',
  'officer.email',
  'referredTo.kind',
  'escalation.category',
  'escalation.ground',
  'escalation.summary',
  'escalation.desiredOutcome',
] as const;

/** Columns read when the header has them. Any other column is passed over. */
export const OPTIONAL_COLUMNS = [
  'version',
  'person.dateOfBirth',
  'child.dateOfBirth',
  'child.nhsNumber',
  'officer.collarNumber',
  'narrative',
  'referredTo.name',
  'escalation.raisedAt',
] as const;

const KNOWN: ReadonlySet<string> = new Set([...REQUIRED_COLUMNS, ...OPTIONAL_COLUMNS]);

/**
 * Streams the referrals of a CSV export: the JSON format's fields flattened to dotted column
 * names (`child.nhsNumber`), one referral per row, empty cells absent. The header must name the
 * required columns (in any order); one that does not is a `body` problem and nothing is read. A
 * row with more or fewer values than the header is a problem naming the column where it goes
 * wrong; CSV that cannot be read further ends the read with a `body` problem.
 */
export async function* readReferralsCsv(
  body: Readable,
): AsyncGenerator<SourceItem<ReferralSource>> {
  let header: string[] | undefined;
  try {
    for await (const { values, line } of csvRows(body)) {
      if (header === undefined) {
        header = values.map((cell) => cell.trim());
        const missing = REQUIRED_COLUMNS.filter((column) => !header!.includes(column));
        if (missing.length > 0) {
          yield {
            type: 'problem',
            field: 'body',
            message: `the header lacks the required column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`,
          };
          return;
        }
        const twice = header.find((column, i) => column !== '' && header!.indexOf(column) !== i);
        if (twice !== undefined) {
          yield {
            type: 'problem',
            field: 'body',
            message: `the header names the column ${twice} twice`,
          };
          return;
        }
        continue;
      }
      yield row(header, values, line);
    }
  } catch (error) {
    yield {
      type: 'problem',
      field: 'body',
      message: `the CSV cannot be read further: ${reason(error)}`,
    };
    return;
  }
  if (header === undefined) {
    yield {
      type: 'problem',
      field: 'body',
      message: `the body is empty: a referral CSV starts with a header row naming its columns (${REQUIRED_COLUMNS.join(', ')})`,
    };
  }
}

function row(
  header: readonly string[],
  values: readonly string[],
  line: number,
): SourceItem<ReferralSource> {
  const id = values[header.indexOf('referralId')]?.trim();
  const sourceId = id && id.length <= 100 ? `referral:${id}` : `line ${line}`;
  if (values.length !== header.length) {
    return {
      type: 'problem',
      // Where the row goes wrong: the first column it has no value for, or the first extra one.
      field:
        values.length < header.length
          ? header[values.length] || `column ${values.length + 1}`
          : `column ${header.length + 1}`,
      message: `line ${line} has ${values.length} values; the header has ${header.length} columns`,
      sourceId,
    };
  }
  const referral: Record<string, unknown> = {};
  header.forEach((column, i) => {
    const value = values[i]!;
    if (!KNOWN.has(column) || value.trim() === '') return;
    const [block, field] = column.split('.') as [string, string | undefined];
    if (field === undefined) referral[block] = value;
    else ((referral[block] ??= {}) as Record<string, string>)[field] = value;
  });
  // A block is there when one of its cells is (so a row without a child has no child); the
  // required blocks always are, so that an empty one is rejected naming the missing field.
  referral.person ??= {};
  referral.referredTo ??= {};
  return { type: 'record', sourceId, record: { referral } };
}
