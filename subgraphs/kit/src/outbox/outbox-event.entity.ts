import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * A domain event waiting to be published, written in the same transaction as the change it
 * describes. The relay marks it published once the bus has taken it.
 */
@Entity({ tableName: 'outbox_event' })
export class OutboxEvent {
  [OptionalProps]?: 'seq' | 'publishedAt' | 'attempts';

  @PrimaryKey({ autoincrement: true })
  seq!: number;

  /** The event id consumers deduplicate by. */
  @Property({ type: 'uuid', unique: true })
  id!: string;

  @Property()
  type!: string;

  @Property()
  aggregateId!: string;

  @Property({ type: 'json' })
  payload!: Record<string, unknown>;

  @Property({ type: 'datetime' })
  occurredAt!: Date;

  @Property({ type: 'datetime', nullable: true })
  publishedAt: Date | null = null;

  @Property()
  attempts: number = 0;
}
