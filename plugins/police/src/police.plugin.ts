import type { Readable } from 'node:stream';
import type { AgencyPlugin, MapResult, ParseContext, SourceItem } from '@hub/plugin-sdk';
import { AgencyKind } from '@hub/schema';
import { POLICE_PERSON_ID_SYSTEM } from './identifier-systems.js';
import { readReferralsCsv } from './referral-csv.reader.js';
import { readReferralsJson } from './referral-json.reader.js';
import { mapReferral, type ReferralSource } from './referral.mapper.js';
import type { RiskGrading } from './referral.schema.js';

/** Options of {@link policePlugin}. */
export interface PolicePluginOptions {
  /**
   * The identifier system of `child.personId`. Set one per force where a board works with
   * several, whose person ids could collide.
   * @default POLICE_PERSON_ID_SYSTEM
   */
  personIdSystem?: string;
  /**
   * Risk gradings that make an escalated referral's disagreement one of immediate risk.
   * @default ['High']
   */
  immediateRiskGradings?: readonly RiskGrading[];
}

const JSON_TYPE = 'application/json';
const CSV_TYPE = 'text/csv';

/**
 * The reference plugin for police forces: vulnerability referrals (Public Protection Notices)
 * exported as JSON or CSV, in the format the README documents.
 */
export function policePlugin(options: PolicePluginOptions = {}): AgencyPlugin<ReferralSource> {
  const mapOptions = {
    personIdSystem: options.personIdSystem ?? POLICE_PERSON_ID_SYSTEM,
    immediateRiskGradings: options.immediateRiskGradings ?? ['High'],
  };
  return {
    name: 'police',
    agencyKind: AgencyKind.POLICE,
    contentTypes: [JSON_TYPE, CSV_TYPE],
    description:
      'Police forces: vulnerability referrals (PPNs) about children, and the escalations of partner agencies’ decisions on them, from a JSON or CSV export.',

    /** Reads `{ "referrals": [...] }` for `application/json`, one referral per row for `text/csv`. */
    parse(body: Readable, context: ParseContext): AsyncIterable<SourceItem<ReferralSource>> {
      return context.contentType === CSV_TYPE ? readReferralsCsv(body) : readReferralsJson(body);
    },

    /** A referral about a child → a `case`, and a `disagreement` when it is escalated. */
    map(source: ReferralSource): MapResult {
      return mapReferral(source, mapOptions);
    },
  };
}
