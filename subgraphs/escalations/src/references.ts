import type { ReferenceResolvers } from '@hub/kit';
import { loadVisibleEscalation } from './access.js';
import type { EscalationsContext } from './context.js';

/** Board and Case resolve to their id (this subgraph adds fields to them); Escalation only if visible. */
export const references = {
  Board: { __resolveReference: ({ id }: { id: string }) => ({ id }) },
  Case: { __resolveReference: ({ id }: { id: string }) => ({ id }) },
  Escalation: {
    __resolveReference: ({ id }: { id: string }, ctx: EscalationsContext) =>
      loadVisibleEscalation(ctx, id),
  },
} as unknown as ReferenceResolvers;
