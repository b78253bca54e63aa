import { randomUUID } from 'node:crypto';
import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { LocalDate } from '@hub/kit';
import { Field, ID, ObjectType } from 'type-graphql';

/** An issue the agreed outcome leaves open, and who pursues it by when. Its completion is a separate row. */
@ObjectType()
@Entity({ tableName: 'outstanding_issue' })
export class OutstandingIssue {
  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  escalationId!: string;

  @Field()
  @Property({ type: 'text' })
  description!: string;

  @Property({ type: 'uuid' })
  ownerAgencyId!: string;

  @Field(() => LocalDate, { nullable: true })
  @Property({ type: 'string', nullable: true })
  dueDate: string | null = null;

  @Property({ type: 'datetime' })
  createdAt!: Date;
}
