/**
 * The one place that lists what ../shared/api/contract.graphql has and the API schema does not
 * yet, because later issues add it. The contract check tolerates these (and everything under
 * them) being absent, and fails as soon as one is fully present, so this list only shrinks:
 * never add to it to make the check pass.
 */
export const PENDING: readonly string[] = [
  // Escalations subgraph: board escalation policy.
  'Board.escalationPolicy',
  'EscalationPolicy',
  'StageDefinition',
  'StageDefinitionInput',
  'UpdateEscalationPolicyInput',
  'Mutation.updateEscalationPolicy',

  // Escalations subgraph: escalations, their stages, records and outcomes. `Escalation` also
  // covers Escalation.panel (panels) and Escalation.themes/debrief (learning): if the type lands
  // before those fields do, replace 'Escalation' here by those three fields.
  'Case.escalations',
  'Escalation',
  'EscalationEdge',
  'EscalationConnection',
  'EscalationFilter',
  'EscalationStage',
  'EscalationRecord',
  'AgreedOutcome',
  'OutstandingIssue',
  'OutcomeConfirmation',
  'DisagreementCategory',
  'EscalationGround',
  'EscalationStatus',
  'StageResult',
  'RecordKind',
  'RaiseEscalationInput',
  'AddEscalationRecordInput',
  'EscalateInput',
  'OutstandingIssueInput',
  'ResolveEscalationInput',
  'Query.escalation',
  'Query.escalations',
  'Mutation.raiseEscalation',
  'Mutation.addEscalationRecord',
  'Mutation.escalateEscalation',
  'Mutation.resolveEscalation',
  'Mutation.confirmOutcome',
  'Mutation.withdrawEscalation',
  'Mutation.completeOutstandingIssue',

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
