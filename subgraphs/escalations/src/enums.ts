import { registerEnumType } from 'type-graphql';

/** Moved to @hub/schema: the learning subgraph's statistics filter by it too. */
export { DisagreementCategory } from '@hub/schema';

export enum EscalationGround {
  DECISION_CHALLENGE = 'DECISION_CHALLENGE',
  ACTION_NOT_TAKEN = 'ACTION_NOT_TAKEN',
}

export enum EscalationStatus {
  OPEN = 'OPEN',
  RESOLVED = 'RESOLVED',
  CLOSED = 'CLOSED',
  WITHDRAWN = 'WITHDRAWN',
}

export enum StageResult {
  RESOLVED = 'RESOLVED',
  ESCALATED = 'ESCALATED',
  WITHDRAWN = 'WITHDRAWN',
}

export enum RecordKind {
  CONCERN_RAISED = 'CONCERN_RAISED',
  DISCUSSION = 'DISCUSSION',
  ACTION = 'ACTION',
  DECISION = 'DECISION',
  CONSULTATION = 'CONSULTATION',
  ESCALATED = 'ESCALATED',
  REPRESENTATION = 'REPRESENTATION',
  OUTCOME = 'OUTCOME',
  CONFIRMATION = 'CONFIRMATION',
  WITHDRAWAL = 'WITHDRAWAL',
  NOTE = 'NOTE',
}

/** Kinds a practitioner writes with addEscalationRecord; the others the hub writes itself. */
export const AUTHORED_RECORD_KINDS = [
  RecordKind.DISCUSSION,
  RecordKind.ACTION,
  RecordKind.DECISION,
  RecordKind.CONSULTATION,
  RecordKind.NOTE,
];

/** Records that show the disagreement was worked on at a stage before it may move up. */
export const WORK_RECORD_KINDS = [RecordKind.DISCUSSION, RecordKind.ACTION, RecordKind.DECISION];

registerEnumType(EscalationGround, {
  name: 'EscalationGround',
  valuesConfig: {
    DECISION_CHALLENGE: {
      description:
        "A decision has been made and the raiser formally challenges it, having taken reasonable steps to resolve it in professionals' meetings and discussions.",
    },
    ACTION_NOT_TAKEN: {
      description:
        'An agency responsible for agreed actions to safeguard the child fails to take them or to comply with agreed procedures.',
    },
  },
});
registerEnumType(EscalationStatus, {
  name: 'EscalationStatus',
  valuesConfig: {
    OPEN: { description: "At one of the policy's stages." },
    RESOLVED: {
      description:
        'An outcome is agreed (at a stage or by a panel) and awaits written confirmation by both agencies.',
    },
    CLOSED: { description: 'Both agencies confirmed the agreed outcome in writing.' },
  },
});
registerEnumType(StageResult, { name: 'StageResult' });
registerEnumType(RecordKind, { name: 'RecordKind' });
