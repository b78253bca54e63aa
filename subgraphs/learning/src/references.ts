import type { ReferenceResolvers } from '@hub/kit';

/** Escalation resolves to its id: this subgraph adds Escalation.themes and .debrief to it. */
export const references = {
  Escalation: { __resolveReference: ({ id }: { id: string }) => ({ id }) },
} as unknown as ReferenceResolvers;
