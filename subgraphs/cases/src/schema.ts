import { buildFederatedSchema } from '@hub/kit';
import type { GraphQLSchema } from 'graphql';
import { references } from './references.js';
import {
  AgencyResolver,
  BoardResolver,
  CaseResolver,
  ChildSubjectResolver,
  PractitionerResolver,
  SourceRecordResolver,
} from './resolvers/index.js';

/** Builds the cases subgraph's schema (no server, no database). */
export function buildCasesSchema(): Promise<GraphQLSchema> {
  return buildFederatedSchema({
    resolvers: [
      BoardResolver,
      AgencyResolver,
      PractitionerResolver,
      CaseResolver,
      ChildSubjectResolver,
      SourceRecordResolver,
    ],
    references,
  });
}
