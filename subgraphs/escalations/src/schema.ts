import { buildFederatedSchema } from '@hub/kit';
import type { GraphQLSchema } from 'graphql';
import { references } from './references.js';
import {
  AgreedOutcomeResolver,
  BoardPolicyResolver,
  CaseEscalationsResolver,
  EscalationLifecycleResolver,
  EscalationPolicyResolver,
  EscalationRecordResolver,
  EscalationResolver,
  EscalationStageResolver,
  OutcomeConfirmationResolver,
  OutstandingIssueResolver,
} from './resolvers/index.js';
import { AgencyRef, PractitionerRef } from './types/references.type.js';

/** Builds the escalations subgraph's schema (no server, no database). */
export function buildEscalationsSchema(): Promise<GraphQLSchema> {
  return buildFederatedSchema({
    resolvers: [
      EscalationResolver,
      EscalationLifecycleResolver,
      EscalationStageResolver,
      EscalationRecordResolver,
      AgreedOutcomeResolver,
      OutstandingIssueResolver,
      OutcomeConfirmationResolver,
      BoardPolicyResolver,
      EscalationPolicyResolver,
      CaseEscalationsResolver,
    ],
    orphanedTypes: [AgencyRef, PractitionerRef],
    references,
  });
}
