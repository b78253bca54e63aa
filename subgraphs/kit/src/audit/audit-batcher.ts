import DataLoader from 'dataloader';
import type { HubContext } from '../context.js';

/**
 * Audits reads in batches: every id loaded in the same tick goes into one audit entry, so a
 * list of fifty cases costs one entry, not fifty.
 */
export function auditReads(
  ctx: Pick<HubContext, 'audit'>,
  action: string,
  entityType: string,
): DataLoader<string, string> {
  return new DataLoader<string, string>(async (ids) => {
    await ctx.audit({ action, entityType, entityIds: [...ids] });
    return ids;
  });
}
