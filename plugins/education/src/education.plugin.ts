import type { Readable } from 'node:stream';
import type { AgencyPlugin, MapResult, ParseContext, SourceItem } from '@hub/plugin-sdk';
import { AgencyKind } from '@hub/schema';
import { mapCtfPupil } from './ctf.mapper.js';
import { readCtf, type CtfPupil } from './ctf.reader.js';
import { mapLogRow } from './safeguarding-log.mapper.js';
import { readSafeguardingLog, type LogRow } from './safeguarding-log.reader.js';

/** What the education plugin reads: a CTF pupil or a safeguarding-log row. */
export type EducationSource = CtfPupil | LogRow;

/** Options of {@link educationPlugin}. */
export interface EducationPluginOptions {
  /**
   * Put a CTF pupil's middle names (`BasicDetails/MiddleNames`) into the child's name. Off, the
   * name is forename and surname, as most agencies record a child and as the hub compares names.
   * @default false
   */
  includeMiddleNames?: boolean;
  /**
   * The safeguarding-log category that marks a row as a professional disagreement, compared
   * without regard to case.
   * @default 'professional disagreement'
   */
  disagreementCategory?: string;
}

const XML_TYPES = ['application/xml', 'text/xml'];
const CSV_TYPE = 'text/csv';

/**
 * The reference plugin for schools: pupils' identity from the DfE Common Transfer File (XML),
 * and professional disagreements from a school's safeguarding-log CSV. The README says exactly
 * what it reads and how it maps.
 */
export function educationPlugin(
  options: EducationPluginOptions = {},
): AgencyPlugin<EducationSource> {
  const includeMiddleNames = options.includeMiddleNames ?? false;
  const disagreementCategory = options.disagreementCategory ?? 'professional disagreement';
  return {
    name: 'education',
    agencyKind: AgencyKind.EDUCATION,
    contentTypes: [...XML_TYPES, CSV_TYPE],
    description:
      'Schools: pupils (UPN, name, date of birth) from a DfE Common Transfer File, and professional disagreements from a safeguarding-log CSV.',

    /** Reads a CTF for `application/xml` or `text/xml`, a safeguarding log for `text/csv`. */
    parse(body: Readable, context: ParseContext): AsyncIterable<SourceItem<EducationSource>> {
      return XML_TYPES.includes(context.contentType) ? readCtf(body) : readSafeguardingLog(body);
    },

    /** A CTF pupil → a `child`; a disagreement row → `case` + `disagreement` or an `escalation-record`. */
    map(source: EducationSource): MapResult {
      return source.format === 'ctf'
        ? mapCtfPupil(source, { includeMiddleNames })
        : mapLogRow(source, { disagreementCategory });
    },
  };
}
