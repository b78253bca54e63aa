import { createInterface } from 'node:readline';
import {
  AgencyKind,
  PlanType,
  records,
  reject,
  skip,
  type AgencyPlugin,
  type CanonicalRecordInput,
} from '@hub/plugin-sdk';

/** Options of {@link youthJusticePlugin}. */
export interface YouthJusticeOptions {
  /** The plugin's name, for a board with two youth justice services. @default 'youth-justice' */
  name?: string;
  /** The identifier system of the service's person ids. @default 'urn:youth-justice:person-id' */
  identifierSystem?: string;
}

/** One line of the export: a JSON object whose fields are checked in `map`. */
export type YouthJusticeRow = Readonly<Record<string, unknown>>;

const PLANS = new Map([
  ['CP', PlanType.CHILD_PROTECTION],
  ['CIN', PlanType.CHILD_IN_NEED],
  ['EH', PlanType.EARLY_HELP],
  ['LAC', PlanType.LOOKED_AFTER],
]);

/** Reads a youth justice service's JSON Lines export: `case` and `concern` rows. */
export function youthJusticePlugin(
  options: YouthJusticeOptions = {},
): AgencyPlugin<YouthJusticeRow> {
  const identifierSystem = options.identifierSystem ?? 'urn:youth-justice:person-id';
  return {
    name: options.name ?? 'youth-justice',
    agencyKind: AgencyKind.YOUTH_JUSTICE,
    contentTypes: ['application/x-ndjson', 'application/jsonl'],
    description: 'Youth justice case management export (JSON Lines): cases and concerns.',
    /** One source record per line; a line that is not a JSON object is a problem, not the end. */
    async *parse(body) {
      let line = 0;
      for await (const text of createInterface({ input: body, crlfDelay: Infinity })) {
        line++;
        if (text.trim() === '') continue;
        const row = parseObject(text);
        if (!row) yield { type: 'problem', field: `line ${line}`, message: 'not a JSON object' };
        else yield { type: 'record', sourceId: field(row, 'id') ?? `line ${line}`, record: row };
      }
    },
    /**
     * A `case` row becomes a case, a `concern` a disagreement; other rows are skipped. A missing
     * or malformed value the runner's schema check would catch is left to it (it names the field).
     */
    map(row) {
      if (row.type !== 'case' && row.type !== 'concern') return skip('not shared with the hub');
      const id = field(row, 'id');
      const version = field(row, 'updatedAt');
      if (!id) return reject('id', 'required');
      if (!version) return reject('updatedAt', 'required: it versions the row');
      if (row.type === 'case') {
        const planType = PLANS.get(field(row, 'plan') ?? '');
        if (!planType) return reject('plan', `must be one of ${[...PLANS.keys()].join(', ')}`);
        const personId = field(row, 'personId');
        return records({
          kind: 'case',
          sourceId: id,
          sourceVersion: version,
          child: {
            name: [field(row, 'forename'), field(row, 'surname')].filter(Boolean).join(' '),
            dateOfBirth: field(row, 'dateOfBirth'),
            identifiers: personId ? [{ system: identifierSystem, value: personId }] : [],
          },
          planType,
        });
      }
      // The export uses the hub's codes (agency kind, category, ground): the runner checks them.
      return records({
        kind: 'disagreement',
        sourceId: id,
        sourceVersion: version,
        caseSourceId: field(row, 'caseId'),
        raisedBy: { email: field(row, 'raisedBy') },
        respondingAgency: { kind: field(row, 'respondingAgency') },
        category: field(row, 'category'),
        ground: field(row, 'ground'),
        summary: field(row, 'summary'),
        desiredOutcome: field(row, 'desiredOutcome'),
        immediateRisk: row.immediateRisk === true,
        occurredAt: field(row, 'loggedAt'),
      } as CanonicalRecordInput);
    },
  };
}

function parseObject(text: string): YouthJusticeRow | undefined {
  try {
    const value: unknown = JSON.parse(text);
    const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
    return isObject ? (value as YouthJusticeRow) : undefined;
  } catch {
    return undefined;
  }
}

function field(row: YouthJusticeRow, name: string): string | undefined {
  const value = row[name];
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}
