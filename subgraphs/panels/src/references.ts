import type { ReferenceResolvers } from '@hub/kit';

/** Escalation resolves to its id: this subgraph adds Escalation.panel to it. */
export const references = {
  Escalation: { __resolveReference: ({ id }: { id: string }) => ({ id }) },
} as unknown as ReferenceResolvers;
