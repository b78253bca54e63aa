import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * One line of the append-only audit log: who did or read what, when, from where. Each entry's
 * hash covers the previous entry's hash, so altering or removing an entry breaks the chain.
 */
@Entity({ tableName: 'audit_entry' })
export class AuditEntry {
  [OptionalProps]?: 'seq';

  @PrimaryKey({ autoincrement: true })
  seq!: number;

  @Property({ type: 'datetime' })
  at!: Date;

  @Property()
  actorKind!: string;

  @Property()
  actorId!: string;

  @Property({ nullable: true })
  agencyId!: string | null;

  @Property({ nullable: true })
  ip!: string | null;

  @Property()
  correlationId!: string;

  /** e.g. `case.read`, `case.create`, `practitioner.deactivate`. */
  @Property()
  action!: string;

  @Property()
  entityType!: string;

  @Property({ type: 'json' })
  entityIds!: string[];

  @Property()
  prevHash!: string;

  @Property()
  hash!: string;
}
