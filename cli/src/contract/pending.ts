/**
 * The one place that lists what ../shared/api/contract.graphql has and the API schema does not
 * yet, because later issues add it. The contract check tolerates these (and everything under
 * them) being absent, and fails as soon as one is fully present, so this list only shrinks:
 * never add to it to make the check pass.
 */
export const PENDING: readonly string[] = [
  // Fields other subgraphs add to Escalation: the panel (panels) and what learning keeps.
  'Escalation.panel',
  'Escalation.themes',
  'Escalation.debrief',

  // Panels subgraph: resolution panels.
  'ResolutionPanel',
  'PanelStatus',
  'PanelMember',
  'Representation',
  'PanelDecision',
  'ConvenePanelInput',
  'SubmitRepresentationInput',
  'RecordPanelDecisionInput',
  'Query.resolutionPanel',
  'Query.resolutionPanels',
  'Mutation.conveneResolutionPanel',
  'Mutation.submitRepresentation',
  'Mutation.recordPanelDecision',

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
