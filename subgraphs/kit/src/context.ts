import type { EntityManager } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/knex';
import type { Actor, RequestMeta } from './actor.js';
import { appendAudit, type AuditEvent } from './audit/audit.js';
import type { AuditWriter } from './audit/audit-writer.js';
import type { Logger } from './log.js';

/** What every subgraph's request context has; each subgraph adds its loaders. */
export interface HubContext {
  /** This request's EntityManager fork (both drivers are SQL, so the query builder is there). */
  em: SqlEntityManager;
  actor: Actor;
  meta: RequestMeta;
  log: Logger;
  /** Writes an audit entry; pass a transactional `em` to commit it with a change. */
  audit(event: AuditEvent, em?: EntityManager): Promise<void>;
  /** Tells the outbox relay that a change with events has committed. */
  changed(): void;
  /** The hub's clock (the system clock, except in tests). */
  now(): Date;
}

export function createHubContext(args: {
  em: SqlEntityManager;
  actor: Actor;
  meta: RequestMeta;
  log: Logger;
  clock?: () => Date;
  onChange: () => void;
  /** Group-commits the entries of reads (no transaction given); without it, one each. */
  auditWriter?: AuditWriter;
}): HubContext {
  const { em, actor, meta } = args;
  return {
    em,
    actor,
    meta,
    log: args.log.child({ correlationId: meta.correlationId, actor: `${actor.kind}:${actor.id}` }),
    audit: (event, txEm) => {
      if (txEm) return appendAudit(txEm, actor, meta, event);
      if (args.auditWriter) return args.auditWriter.append(actor, meta, event);
      return appendAudit(em.fork(), actor, meta, event);
    },
    changed: args.onChange,
    now: args.clock ?? (() => new Date()),
  };
}
