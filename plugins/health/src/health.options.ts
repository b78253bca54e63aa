import { AgencyKind, PlanType } from '@hub/schema';
import { NHS_NUMBER_SYSTEM } from './nhs-number.validator.js';

/** The hub's own CodeSystems for what FHIR has no code for (README: "Codes the plugin reads"). */
export const HUB_CODE_SYSTEMS = {
  /** Marks a Communication or Task as a challenge (`professional-disagreement`) or a reply's kind. */
  escalation: 'https://fhir.hub.example/CodeSystem/escalation',
  /** What a disagreement is about: the DisagreementCategory values in kebab-case. */
  category: 'https://fhir.hub.example/CodeSystem/disagreement-category',
  /** Why it is raised: `decision-challenge` or `action-not-taken`. */
  ground: 'https://fhir.hub.example/CodeSystem/disagreement-ground',
  /** An Organization's agency kind: the AgencyKind values in kebab-case. */
  agencyKind: 'https://fhir.hub.example/CodeSystem/agency-kind',
} as const;

/** The CP-IS vocabulary of plan types (HL7 v3 CP-ISObservationType) as a FHIR system. */
export const CPIS_OBSERVATION_TYPE_SYSTEM = 'urn:oid:2.16.840.1.113883.2.1.3.2.4.17.469';
/** NHS England's Patient Flag categories; `CP-IS` marks a Child Protection - Information Sharing flag. */
export const NHSE_FLAG_CATEGORY_SYSTEM =
  'https://fhir.nhs.uk/England/CodeSystem/PatientFlagCategory';
export const SNOMED_CT = 'http://snomed.info/sct';

/** A coding of Flag.code or Flag.category and the plan it stands for. */
export interface PlanTypeCoding {
  system: string;
  code: string;
  /** The plan; null skips the Flag, with `skipReason`. */
  planType: PlanType | null;
  /** Why a Flag with this coding is skipped (for `planType: null`). */
  skipReason?: string;
}

/** A coding of Organization.type and the kind of agency it stands for. */
export interface AgencyKindCoding {
  system: string;
  code: string;
  agencyKind: AgencyKind;
}

/**
 * Flag codings in order of precedence: the first in this list that a Flag carries (in `code` or
 * `category`) decides its plan. CP-IS's own plan types come first, then the codes NHS England's
 * Patient Flag API gives a CP-IS flag without a plan type (a child protection plan).
 */
export const DEFAULT_PLAN_TYPE_CODINGS: readonly PlanTypeCoding[] = [
  { system: CPIS_OBSERVATION_TYPE_SYSTEM, code: 'CPPI', planType: PlanType.CHILD_PROTECTION },
  { system: CPIS_OBSERVATION_TYPE_SYSTEM, code: 'LACI', planType: PlanType.LOOKED_AFTER },
  {
    system: CPIS_OBSERVATION_TYPE_SYSTEM,
    code: 'UCPI',
    planType: null,
    skipReason:
      'an unborn child protection plan (CP-IS UCPI) is about the expectant mother, and the hub ' +
      'records children: open the case in the hub once the child is born',
  },
  // "Child protection finding", the code of NHS England's CP-IS Flag example.
  { system: SNOMED_CT, code: '224353004', planType: PlanType.CHILD_PROTECTION },
  { system: NHSE_FLAG_CATEGORY_SYSTEM, code: 'CP-IS', planType: PlanType.CHILD_PROTECTION },
];

/** Organization.type codings: the hub's agency-kind codes, and HL7's organization-type. */
export const DEFAULT_AGENCY_KIND_CODINGS: readonly AgencyKindCoding[] = [
  ...Object.values(AgencyKind).map((agencyKind) => ({
    system: HUB_CODE_SYSTEMS.agencyKind,
    code: kebab(agencyKind),
    agencyKind,
  })),
  {
    system: 'http://terminology.hl7.org/CodeSystem/organization-type',
    code: 'prov',
    agencyKind: AgencyKind.HEALTH,
  },
  {
    system: 'http://terminology.hl7.org/CodeSystem/organization-type',
    code: 'dept',
    agencyKind: AgencyKind.HEALTH,
  },
  {
    system: 'http://terminology.hl7.org/CodeSystem/organization-type',
    code: 'edu',
    agencyKind: AgencyKind.EDUCATION,
  },
];

export const DEFAULT_DESIRED_OUTCOME =
  'Not stated in the source record: the agencies to agree the outcome sought.';

/** How the health plugin reads a body. Every option has a default. */
export interface HealthPluginOptions {
  /**
   * Identifier systems kept on a child (strong identifiers). The NHS number is checked by its
   * modulus 11 check digit; identifiers of systems not listed are ignored.
   * @default ['https://fhir.nhs.uk/Id/nhs-number']
   */
  identifierSystems?: readonly string[];
  /**
   * Flag codings that make a Flag a child's plan, and which plan, in order of precedence.
   * @default DEFAULT_PLAN_TYPE_CODINGS (CP-IS CPPI, LACI, UCPI (skipped), SNOMED 224353004, NHS England CP-IS category)
   */
  planTypeCodings?: readonly PlanTypeCoding[];
  /**
   * Organization.type codings that say which kind of agency responds to a challenge.
   * @default DEFAULT_AGENCY_KIND_CODINGS (the hub's agency-kind codes; HL7 organization-type prov, dept, edu)
   */
  agencyKindCodings?: readonly AgencyKindCoding[];
  /**
   * CodeSystem whose `professional-disagreement` code marks a challenge, and whose
   * `discussion`, `action`, `decision`, `consultation` and `note` codes give a reply's kind.
   * @default 'https://fhir.hub.example/CodeSystem/escalation'
   */
  escalationSystem?: string;
  /**
   * CodeSystem of a challenge's category (`levels-of-need`, `information-sharing`, …).
   * @default 'https://fhir.hub.example/CodeSystem/disagreement-category'
   */
  categorySystem?: string;
  /**
   * CodeSystem of a challenge's ground (`decision-challenge`, `action-not-taken`).
   * @default 'https://fhir.hub.example/CodeSystem/disagreement-ground'
   */
  groundSystem?: string;
  /**
   * A challenge's desired outcome when it has no note to say it.
   * @default 'Not stated in the source record: the agencies to agree the outcome sought.'
   */
  defaultDesiredOutcome?: string;
  /**
   * How many Patients, Practitioners, Organizations, Flags and challenges of a body are kept
   * (a few fields each, about half a kilobyte) to resolve later references; the oldest go first.
   * @default 50000
   */
  maxIndexedResources?: number;
  /**
   * The largest Bundle entry, or single-resource body, read in bytes; a larger one ends the body
   * with a problem, so a body cannot make the plugin hold more than this at once.
   * @default 16777216 (16 MiB)
   */
  maxEntryBytes?: number;
}

/** Options with every default filled in. */
export type ResolvedHealthOptions = Required<HealthPluginOptions>;

/** Fills in defaults and checks the options, naming the one that is wrong. */
export function resolveHealthOptions(options: HealthPluginOptions = {}): ResolvedHealthOptions {
  const resolved: ResolvedHealthOptions = {
    identifierSystems: options.identifierSystems ?? [NHS_NUMBER_SYSTEM],
    planTypeCodings: options.planTypeCodings ?? DEFAULT_PLAN_TYPE_CODINGS,
    agencyKindCodings: options.agencyKindCodings ?? DEFAULT_AGENCY_KIND_CODINGS,
    escalationSystem: options.escalationSystem ?? HUB_CODE_SYSTEMS.escalation,
    categorySystem: options.categorySystem ?? HUB_CODE_SYSTEMS.category,
    groundSystem: options.groundSystem ?? HUB_CODE_SYSTEMS.ground,
    defaultDesiredOutcome: options.defaultDesiredOutcome ?? DEFAULT_DESIRED_OUTCOME,
    maxIndexedResources: options.maxIndexedResources ?? 50_000,
    maxEntryBytes: options.maxEntryBytes ?? 16 * 1024 * 1024,
  };
  const fail = (option: string, message: string) => {
    throw new TypeError(`healthPlugin option ${option} ${message}`);
  };
  if (!Array.isArray(resolved.identifierSystems)) fail('identifierSystems', 'must be an array');
  resolved.identifierSystems.forEach((system, n) => {
    if (typeof system !== 'string' || system.trim() === '') {
      fail(`identifierSystems[${n}]`, 'must be a system URI');
    }
  });
  for (const [option, list] of [
    ['planTypeCodings', resolved.planTypeCodings],
    ['agencyKindCodings', resolved.agencyKindCodings],
  ] as const) {
    if (!Array.isArray(list)) fail(option, 'must be an array');
    list.forEach((coding: { system?: unknown; code?: unknown }, n: number) => {
      if (typeof coding?.system !== 'string' || coding.system === '') {
        fail(`${option}[${n}].system`, 'must be a system URI');
      }
      if (typeof coding?.code !== 'string' || coding.code === '') {
        fail(`${option}[${n}].code`, 'must be a code');
      }
    });
  }
  resolved.planTypeCodings.forEach((coding, n) => {
    if (coding.planType !== null && !Object.values(PlanType).includes(coding.planType)) {
      fail(`planTypeCodings[${n}].planType`, `must be a PlanType or null`);
    }
  });
  resolved.agencyKindCodings.forEach((coding, n) => {
    if (!Object.values(AgencyKind).includes(coding.agencyKind)) {
      fail(`agencyKindCodings[${n}].agencyKind`, 'must be an AgencyKind');
    }
  });
  for (const option of ['escalationSystem', 'categorySystem', 'groundSystem'] as const) {
    if (typeof resolved[option] !== 'string' || resolved[option] === '') {
      fail(option, 'must be a system URI');
    }
  }
  const outcome = resolved.defaultDesiredOutcome;
  if (typeof outcome !== 'string' || outcome.trim() === '' || outcome.length > 4000) {
    fail('defaultDesiredOutcome', 'must be text of 1 to 4000 characters');
  }
  for (const option of ['maxIndexedResources', 'maxEntryBytes'] as const) {
    if (!Number.isSafeInteger(resolved[option]) || resolved[option] < 1) {
      fail(option, 'must be a positive integer');
    }
  }
  return resolved;
}

/** `CHILDRENS_SOCIAL_CARE` → `childrens-social-care`. */
export function kebab(value: string): string {
  return value.toLowerCase().replace(/_/g, '-');
}
