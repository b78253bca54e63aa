import type { Readable } from 'node:stream';
import { csvRows, type SourceItem } from '@hub/plugin-sdk';
import { reason } from './body-text.js';

/** Columns the header must name (a row may leave those it does not need empty). */
export const REQUIRED_COLUMNS = [
  'upn',
  'pupil_name',
  'incident_id',
  'logged_at',
  'categories',
  'summary',
  'staff_email',
  'responding_agency_kind',
  'disagreement_category',
  'ground',
  'desired_outcome',
] as const;

/** Columns read when the header has them. Any other column is passed over. */
export const OPTIONAL_COLUMNS = [
  'date_of_birth',
  'actions',
  'responding_agency_name',
  'immediate_risk',
  'plan_type',
  'follows_incident_id',
  'record_kind',
  'version',
] as const;

export type LogColumn = (typeof REQUIRED_COLUMNS)[number] | (typeof OPTIONAL_COLUMNS)[number];

const KNOWN: ReadonlySet<string> = new Set([...REQUIRED_COLUMNS, ...OPTIONAL_COLUMNS]);

/** One row of a school's safeguarding log, by column. */
export interface LogRow {
  readonly format: 'safeguarding-log';
  /** The line of the body on which the row ends (a quoted value may span lines). */
  readonly line: number;
  readonly values: Readonly<Partial<Record<LogColumn, string>>>;
}

/** A header cell as a column name: `Staff Email` → `staff_email`. */
function columnName(cell: string): string {
  return cell.trim().toLowerCase().replace(/\s+/g, '_');
}

/**
 * Streams the rows of a safeguarding-log CSV (RFC 4180: comma-separated, `"` quotes, UTF-8, an
 * optional byte-order mark; blank lines are passed over). The first row is the header; one that
 * lacks a required column is a `body` problem and nothing is read. A row with more or fewer
 * values than the header is a problem naming the column where it goes wrong, and the read goes
 * on; CSV that cannot be read further (a quote never closed) ends it with a `body` problem.
 */
export async function* readSafeguardingLog(body: Readable): AsyncGenerator<SourceItem<LogRow>> {
  let header: string[] | undefined;
  try {
    for await (const { values, line } of csvRows(body)) {
      if (header === undefined) {
        header = values.map(columnName);
        const problem = headerProblem(header);
        if (problem !== undefined) {
          yield { type: 'problem', field: 'body', message: problem };
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
      message: `the body is empty: a safeguarding log starts with a header row naming its columns (${REQUIRED_COLUMNS.join(', ')})`,
    };
  }
}

function headerProblem(header: readonly string[]): string | undefined {
  const missing = REQUIRED_COLUMNS.filter((column) => !header.includes(column));
  if (missing.length > 0) {
    return `the header lacks the required column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`;
  }
  const twice = header.find((column, i) => column !== '' && header.indexOf(column) !== i);
  if (twice !== undefined) return `the header names the column ${twice} twice`;
  return undefined;
}

function row(
  header: readonly string[],
  record: readonly string[],
  line: number,
): SourceItem<LogRow> {
  const values: Partial<Record<LogColumn, string>> = {};
  header.forEach((column, i) => {
    if (KNOWN.has(column) && i < record.length) values[column as LogColumn] = record[i];
  });
  const incident = values.incident_id?.trim();
  const sourceId = incident && incident.length <= 150 ? `incident:${incident}` : `line ${line}`;
  if (record.length !== header.length) {
    return {
      type: 'problem',
      // Where the row goes wrong: the first column it has no value for, or the first extra one.
      field:
        record.length < header.length
          ? header[record.length] || `column ${record.length + 1}`
          : `column ${header.length + 1}`,
      message: `line ${line} has ${record.length} values; the header has ${header.length} columns`,
      sourceId,
    };
  }
  return { type: 'record', sourceId, record: { format: 'safeguarding-log', line, values } };
}
