import { Directive, Field, ObjectType, Query, Resolver } from 'type-graphql';

/**
 * Which subgraph answered, and its version. Hidden from the public API (@inaccessible); it
 * gives a subgraph whose own features have not landed yet a root field, so it can take part in
 * composition without adding anything untrue to the API.
 */
@Directive('@shareable')
@Directive('@inaccessible')
@ObjectType()
export class SubgraphInfo {
  @Field()
  name!: string;

  @Field()
  version!: string;
}

/** A resolver with one hidden query field, `<name>Subgraph`. */
export function subgraphInfoResolver(name: string, version: string) {
  @Resolver()
  class SubgraphInfoResolver {
    @Directive('@inaccessible')
    @Query(() => SubgraphInfo, { name: `${name}Subgraph` })
    info(): SubgraphInfo {
      return { name, version };
    }
  }
  return SubgraphInfoResolver;
}
