import { Directive, Field, ObjectType } from 'type-graphql';

/** Relay-style page information, shared by every subgraph's connections. */
@Directive('@shareable')
@ObjectType()
export class PageInfo {
  @Field()
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}
