import { PageInfo } from '@hub/kit';
import { Field, Int, ObjectType } from 'type-graphql';
import { Case } from '../entities/case.entity.js';

@ObjectType()
export class CaseEdge {
  @Field()
  cursor!: string;

  @Field(() => Case)
  node!: Case;
}

@ObjectType()
export class CaseConnection {
  @Field(() => [CaseEdge])
  edges!: CaseEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => Int)
  totalCount!: number;
}
