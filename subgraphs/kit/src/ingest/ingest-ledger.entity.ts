import { randomUUID } from 'node:crypto';
import { Entity, PrimaryKey, Property, Unique } from '@mikro-orm/core';

/**
 * One source record an agency's plugin has applied, and what it became. The key is per agency:
 * source ids are unique only within one source system, so two agencies on the same plugin never
 * collide. A record seen again with the same version is `unchanged` without touching anything.
 * The cases and escalations subgraphs each keep one for the kinds they own.
 */
@Entity({ tableName: 'ingest_ledger' })
@Unique({ properties: ['agencyId', 'plugin', 'kind', 'sourceId'] })
export class IngestLedgerEntry {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  /** The ingesting agency (the integration account's). */
  @Property({ type: 'uuid' })
  agencyId!: string;

  @Property()
  plugin!: string;

  /** The canonical record's kind (`child`, `case`, `disagreement`, `escalation-record`). */
  @Property()
  kind!: string;

  @Property()
  sourceId!: string;

  /** The version last applied. */
  @Property()
  sourceVersion!: string;

  /** What the record became: the child, case, escalation or escalation record id. */
  @Property({ type: 'uuid' })
  entityId!: string;

  @Property({ type: 'datetime' })
  firstAppliedAt!: Date;

  @Property({ type: 'datetime' })
  lastAppliedAt!: Date;
}
