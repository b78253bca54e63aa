import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/** Marks an event as applied by one consumer, so redelivery is harmless. */
@Entity({ tableName: 'processed_event' })
export class ProcessedEvent {
  @PrimaryKey()
  consumer!: string;

  @PrimaryKey({ type: 'uuid' })
  eventId!: string;

  @Property({ type: 'datetime' })
  processedAt!: Date;
}
