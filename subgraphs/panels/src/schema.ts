import { buildFederatedSchema } from '@hub/kit';
import type { GraphQLSchema } from 'graphql';
import { references } from './references.js';
import {
  EscalationPanelResolver,
  PanelDecisionResolver,
  PanelLifecycleResolver,
  PanelMemberResolver,
  PanelOutstandingIssueResolver,
  RepresentationResolver,
  ResolutionPanelResolver,
} from './resolvers/index.js';
import { AgencyRef, BoardRef, PractitionerRef } from './types/references.type.js';

/** Builds the panels subgraph's schema (no server, no database). */
export function buildPanelsSchema(): Promise<GraphQLSchema> {
  return buildFederatedSchema({
    resolvers: [
      ResolutionPanelResolver,
      PanelLifecycleResolver,
      PanelMemberResolver,
      RepresentationResolver,
      PanelDecisionResolver,
      PanelOutstandingIssueResolver,
      EscalationPanelResolver,
    ],
    orphanedTypes: [AgencyRef, BoardRef, PractitionerRef],
    references,
  });
}
