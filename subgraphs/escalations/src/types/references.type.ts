import { Directive, Field, ID, ObjectType } from 'type-graphql';

/*
 * Entities other subgraphs own, as this subgraph refers to them: by id only. Board and Case are
 * resolvable here because this subgraph adds fields to them (Board.escalationPolicy,
 * Case.escalations); Agency and Practitioner are only pointed at.
 */

@Directive('@key(fields: "id")')
@ObjectType('Board')
export class BoardRef {
  @Field(() => ID)
  id!: string;
}

@Directive('@key(fields: "id")')
@ObjectType('Case')
export class CaseRef {
  @Field(() => ID)
  id!: string;
}

@Directive('@key(fields: "id", resolvable: false)')
@ObjectType('Agency')
export class AgencyRef {
  @Field(() => ID)
  id!: string;
}

@Directive('@key(fields: "id", resolvable: false)')
@ObjectType('Practitioner')
export class PractitionerRef {
  @Field(() => ID)
  id!: string;
}

export const ref = (id: string) => ({ id });
