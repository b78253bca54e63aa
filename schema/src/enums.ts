import { registerEnumType } from 'type-graphql';

/** Kinds of agency on a safeguarding board (contract: AgencyKind). */
export enum AgencyKind {
  POLICE = 'POLICE',
  HEALTH = 'HEALTH',
  EDUCATION = 'EDUCATION',
  CHILDRENS_SOCIAL_CARE = 'CHILDRENS_SOCIAL_CARE',
  EARLY_HELP = 'EARLY_HELP',
  PROBATION = 'PROBATION',
  YOUTH_JUSTICE = 'YOUTH_JUSTICE',
  HOUSING = 'HOUSING',
  VOLUNTARY_SECTOR = 'VOLUNTARY_SECTOR',
  OTHER = 'OTHER',
}

/** What a practitioner may do (contract: Role). */
export enum Role {
  PRACTITIONER = 'PRACTITIONER',
  LINE_MANAGER = 'LINE_MANAGER',
  SAFEGUARDING_LEAD = 'SAFEGUARDING_LEAD',
  SENIOR_MANAGER = 'SENIOR_MANAGER',
  BOARD_MANAGER = 'BOARD_MANAGER',
  PANEL_MEMBER = 'PANEL_MEMBER',
  ANALYST = 'ANALYST',
  INTEGRATION = 'INTEGRATION',
  ADMIN = 'ADMIN',
}

/** The child's plan (contract: PlanType). */
export enum PlanType {
  CHILD_PROTECTION = 'CHILD_PROTECTION',
  CHILD_IN_NEED = 'CHILD_IN_NEED',
  EARLY_HELP = 'EARLY_HELP',
  LOOKED_AFTER = 'LOOKED_AFTER',
  NONE = 'NONE',
}

/** What a disagreement is about (escalations raise with it; learning counts by it). */
export enum DisagreementCategory {
  LEVELS_OF_NEED = 'LEVELS_OF_NEED',
  ROLES_AND_RESPONSIBILITIES = 'ROLES_AND_RESPONSIBILITIES',
  NEED_FOR_ACTION = 'NEED_FOR_ACTION',
  COMMUNICATION = 'COMMUNICATION',
  REFERRAL_CRITERIA = 'REFERRAL_CRITERIA',
  ASSESSMENT_OUTCOME = 'ASSESSMENT_OUTCOME',
  SERVICE_PROVISION = 'SERVICE_PROVISION',
  INFORMATION_SHARING = 'INFORMATION_SHARING',
}

registerEnumType(AgencyKind, { name: 'AgencyKind' });
registerEnumType(DisagreementCategory, {
  name: 'DisagreementCategory',
  description:
    "What the disagreement is about. The first four are the classic procedure's; the rest are the\ncategories newer board procedures use (criteria for referral, outcome of assessment, service\nprovision, information sharing).",
});

registerEnumType(Role, {
  name: 'Role',
  valuesConfig: {
    PRACTITIONER: { description: 'Front-line worker in an agency.' },
    SAFEGUARDING_LEAD: {
      description: 'Designated safeguarding lead or named/designated professional.',
    },
    BOARD_MANAGER: {
      description:
        'Safeguarding board business unit: sees every escalation of its board, convenes resolution panels.',
    },
    PANEL_MEMBER: { description: 'May sit on resolution panels.' },
    ANALYST: {
      description: 'Sees de-identified learning analytics only; never case or child data.',
    },
    INTEGRATION: {
      description: "An agency's integration engine: may ingest through that agency's plugins only.",
    },
    ADMIN: {
      description:
        'Directory administration (boards, agencies, practitioners); never case or child data.',
    },
  },
});
registerEnumType(PlanType, { name: 'PlanType' });

/** Working-day calendar regions a board may use (date-holidays country-state codes). */
export const BOARD_REGIONS = ['GB-ENG', 'GB-WLS', 'GB-SCT', 'GB-NIR'] as const;
export type BoardRegion = (typeof BOARD_REGIONS)[number];
