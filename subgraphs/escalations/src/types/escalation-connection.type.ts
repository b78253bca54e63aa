import { PageInfo } from '@hub/kit';
import { Field, Int, ObjectType } from 'type-graphql';
import { Escalation } from '../entities/escalation.entity.js';

@ObjectType()
export class EscalationEdge {
  @Field()
  cursor!: string;

  @Field(() => Escalation)
  node!: Escalation;
}

@ObjectType()
export class EscalationConnection {
  @Field(() => [EscalationEdge])
  edges!: EscalationEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => Int)
  totalCount!: number;
}
