import type { EntityManager } from '@mikro-orm/core';
import type { Actor, RequestMeta } from './actor.js';
import { appendAudit, type AuditEvent } from './audit/audit.js';
import type { Logger } from './log.js';

/** What every subgraph's request context has; each subgraph adds its loaders. */
export interface HubContext {
  /** This request's EntityManager fork. */
  em: EntityManager;
  actor: Actor;
  meta: RequestMeta;
  log: Logger;
  /** Writes an audit entry; pass a transactional `em` to commit it with a change. */
  audit(event: AuditEvent, em?: EntityManager): Promise<void>;
  /** Tells the outbox relay that a change with events has committed. */
  changed(): void;
}

export function createHubContext(args: {
  em: EntityManager;
  actor: Actor;
  meta: RequestMeta;
  log: Logger;
  onChange: () => void;
}): HubContext {
  const { em, actor, meta } = args;
  return {
    em,
    actor,
    meta,
    log: args.log.child({ correlationId: meta.correlationId, actor: `${actor.kind}:${actor.id}` }),
    audit: (event, txEm) => appendAudit(txEm ?? em.fork(), actor, meta, event),
    changed: args.onChange,
  };
}
