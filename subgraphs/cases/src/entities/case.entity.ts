import { randomUUID } from 'node:crypto';
import { Entity, Unique, Enum, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { PlanType } from '@hub/schema';
import { Directive, Field, ID, ObjectType } from 'type-graphql';

@Directive('@key(fields: "id")')
@ObjectType()
@Entity({ tableName: 'case_file' })
@Unique({ properties: ['boardId', 'reference'] })
export class Case {
  [OptionalProps]?: 'createdAt';

  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Field({ description: 'Board-unique human reference, e.g. CASE-2027-000123.' })
  @Property()
  reference!: string;

  @Property({ type: 'uuid' })
  boardId!: string;

  @Property({ type: 'uuid' })
  childId!: string;

  @Field(() => PlanType)
  @Enum(() => PlanType)
  planType!: PlanType;

  @Property({ type: 'uuid', nullable: true })
  leadAgencyId: string | null = null;

  @Property()
  createdBy!: string;

  @Field()
  @Property({ type: 'datetime' })
  createdAt: Date = new Date();
}
