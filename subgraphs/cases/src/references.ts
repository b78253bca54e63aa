import type { ReferenceResolvers } from '@hub/kit';
import type { CasesContext } from './context.js';
import { loadVisibleCase } from './resolvers/case.resolver.js';

/**
 * How other subgraphs' references to cases-owned entities resolve. Directory entries (board,
 * agency, practitioner) are not case data; a Case resolves only for a caller who may see it.
 */
export const references = {
  Board: {
    __resolveReference: ({ id }: { id: string }, ctx: CasesContext) => ctx.loaders.board.load(id),
  },
  Agency: {
    __resolveReference: ({ id }: { id: string }, ctx: CasesContext) => ctx.loaders.agency.load(id),
  },
  Practitioner: {
    __resolveReference: ({ id }: { id: string }, ctx: CasesContext) =>
      ctx.loaders.practitioner.load(id),
  },
  Case: {
    __resolveReference: ({ id }: { id: string }, ctx: CasesContext) => loadVisibleCase(ctx, id),
  },
} satisfies Record<
  string,
  { __resolveReference: (ref: { id: string }, ctx: CasesContext) => unknown }
> as unknown as ReferenceResolvers;
