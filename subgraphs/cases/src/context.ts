import type { HubContext } from '@hub/kit';
import { createCasesLoaders, type CasesLoaders } from './loaders/cases.loaders.js';

export interface CasesContext extends HubContext {
  loaders: CasesLoaders;
}

export function createContext(base: HubContext): CasesContext {
  return { ...base, loaders: createCasesLoaders(base) } satisfies CasesContext;
}
