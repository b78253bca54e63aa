import { randomUUID } from 'node:crypto';
import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { LocalDate } from '@hub/kit';
import { Directive, Field, ID, ObjectType } from 'type-graphql';

/**
 * An issue the agreed outcome leaves open, and who pursues it by when. Its completion is a separate
 * row. The GraphQL type is shared with the panels subgraph (a panel decision's outstanding issues
 * become the outcome's, with the same ids), so it is `@shareable`.
 */
@Directive('@shareable')
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
