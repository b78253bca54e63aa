import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';

/** An agency's written confirmation of the agreed outcome; one per agency. */
@ObjectType()
@Entity({ tableName: 'outcome_confirmation' })
export class OutcomeConfirmation {
  @PrimaryKey({ type: 'uuid' })
  escalationId!: string;

  @PrimaryKey({ type: 'uuid' })
  agencyId!: string;

  @Property({ type: 'uuid' })
  practitionerId!: string;

  @Field()
  @Property({ type: 'datetime' })
  confirmedAt!: Date;
}
