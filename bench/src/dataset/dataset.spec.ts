import { AgencyKind, DisagreementCategory } from '@hub/schema';

/** The dataset's sizes (issue 12): escalations in all, across how many boards. */
export const SIZES = {
  S: { escalations: 1_000, boards: 3 },
  M: { escalations: 100_000, boards: 10 },
  L: { escalations: 1_000_000, boards: 30 },
} as const;

export type SizeName = keyof typeof SIZES;

/** What to generate. */
export interface DatasetSpec {
  escalations: number;
  boards: number;
  seed: number;
  /** The dataset's "now": everything happened before it. */
  epoch: Date;
  /** Years of history before the epoch over which escalations were raised. */
  years: number;
  /** Write the outbox events (and consumers' processed markers) the hub would have written. */
  events: boolean;
  /** Write the audit entries of every change, hash-chained per subgraph. */
  audit: boolean;
}

/**
 * The fixed "now" of every dataset: a Monday, safely in the past, so that nothing generated is
 * in the future of the hub that serves it.
 */
export const DEFAULT_EPOCH = new Date('2026-11-02T00:00:00.000Z');

/** The spec of a named size: events and audit entries on for S and M, off for L. */
export function sizeSpec(size: SizeName, seed = 1): DatasetSpec {
  return {
    ...SIZES[size],
    seed,
    epoch: DEFAULT_EPOCH,
    years: 5,
    events: size !== 'L',
    audit: size !== 'L',
  };
}

/**
 * The proportions (bench/README.md documents them). Weights need not add up to anything.
 */
export const PROPORTIONS = {
  /** Cases opened per escalation raised (some cases never see a disagreement). */
  casesPerEscalation: 0.75,
  /** Days before an escalation its case may have been opened. */
  caseWindowDays: 180,
  /** The stage at which an escalation ends (resolved, withdrawn or stalled). */
  finalStage: [
    [1, 60],
    [2, 25],
    [3, 10],
    [4, 5],
  ],
  /** How it ends, if nothing after the epoch cuts it short. */
  ending: [
    ['CLOSED', 70],
    ['RESOLVED', 15],
    ['OPEN', 10],
    ['WITHDRAWN', 5],
  ],
  /** Skewed: the classic categories dominate. */
  category: [
    [DisagreementCategory.LEVELS_OF_NEED, 24],
    [DisagreementCategory.NEED_FOR_ACTION, 18],
    [DisagreementCategory.COMMUNICATION, 14],
    [DisagreementCategory.REFERRAL_CRITERIA, 12],
    [DisagreementCategory.ASSESSMENT_OUTCOME, 11],
    [DisagreementCategory.ROLES_AND_RESPONSIBILITIES, 9],
    [DisagreementCategory.INFORMATION_SHARING, 7],
    [DisagreementCategory.SERVICE_PROVISION, 5],
  ],
  /** Which involved agency raises: schools, health and police most. */
  raisingKind: [
    [AgencyKind.EDUCATION, 30],
    [AgencyKind.HEALTH, 22],
    [AgencyKind.POLICE, 14],
    [AgencyKind.CHILDRENS_SOCIAL_CARE, 12],
    [AgencyKind.EARLY_HELP, 8],
    [AgencyKind.HOUSING, 4],
    [AgencyKind.VOLUNTARY_SECTOR, 4],
    [AgencyKind.PROBATION, 2],
    [AgencyKind.YOUTH_JUSTICE, 3],
    [AgencyKind.OTHER, 1],
  ],
  /** Which involved agency responds: mostly children's social care. */
  respondingKind: [
    [AgencyKind.CHILDRENS_SOCIAL_CARE, 55],
    [AgencyKind.HEALTH, 10],
    [AgencyKind.POLICE, 9],
    [AgencyKind.EDUCATION, 8],
    [AgencyKind.EARLY_HELP, 8],
    [AgencyKind.HOUSING, 4],
    [AgencyKind.VOLUNTARY_SECTOR, 2],
    [AgencyKind.PROBATION, 2],
    [AgencyKind.YOUTH_JUSTICE, 2],
  ],
  decisionChallenge: 0.6,
  immediateRisk: 0.04,
  respondentNamed: 0.8,
  /** A stage completed by its dueAt; the rest run late. */
  stageWithinTimescale: 0.78,
  outstandingIssues: 0.35,
  issueCompleted: 0.5,
  /** Of those left RESOLVED: one agency has confirmed. */
  oneConfirmation: 0.5,
  /** Tagged with themes: of resolved and closed ones, of the others. */
  taggedResolved: 0.55,
  taggedOther: 0.1,
  retagged: 0.1,
  debriefed: 0.08,
  /** Stalled at the panel stage: a panel was convened. */
  stalledPanelConvened: 0.7,
  /** Protocol amendments per board per year. */
  amendmentsPerYear: 1.5,
} as const;
