/**
 * The one place that lists what ../shared/api/contract.graphql has and the API schema does not
 * yet, because later issues add it. The contract check tolerates these (and everything under
 * them) being absent, and fails as soon as one is fully present, so this list only shrinks:
 * never add to it to make the check pass.
 */
export const PENDING: readonly string[] = [
  // Fields learning adds to Escalation.
  'Escalation.themes',
  'Escalation.debrief',

  // Learning subgraph: themes, debriefs, protocol amendments and de-identified statistics.
  'LearningTheme',
  'Debrief',
  'ProtocolAmendment',
  'AmendmentStatus',
  'EscalationStats',
  'CountBucket',
  'AgencyPairCount',
  'StatsFilter',
  'RecordDebriefInput',
  'ProposeAmendmentInput',
  'Query.learningThemes',
  'Query.escalationStats',
  'Query.protocolAmendments',
  'Mutation.tagEscalation',
  'Mutation.recordDebrief',
  'Mutation.proposeProtocolAmendment',
  'Mutation.decideProtocolAmendment',
];
