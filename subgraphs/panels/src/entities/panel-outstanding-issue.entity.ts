import { randomUUID } from 'node:crypto';
import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { LocalDate } from '@hub/kit';
import { Directive, Field, ID, ObjectType } from 'type-graphql';

/**
 * An issue a panel decision leaves open. The escalations subgraph copies it, with the same id,
 * into the escalation's agreed outcome when it applies PanelDecided; whether it is done is its
 * fact. The GraphQL type is shared with the escalations subgraph (a value type, `@shareable`).
 */
@Directive('@shareable')
@ObjectType('OutstandingIssue')
@Entity({ tableName: 'panel_outstanding_issue' })
export class PanelOutstandingIssue {
  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  panelId!: string;

  @Field()
  @Property({ type: 'text' })
  description!: string;

  @Property({ type: 'uuid' })
  ownerAgencyId!: string;

  @Field(() => LocalDate, { nullable: true })
  @Property({ type: 'string', nullable: true })
  dueDate: string | null = null;

  /** Keeps the decision's order. */
  @Property()
  position!: number;
}
