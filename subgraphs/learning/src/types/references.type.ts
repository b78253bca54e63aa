import { Directive, Field, ID, ObjectType } from 'type-graphql';

/*
 * Entities other subgraphs own, as this subgraph refers to them: by id only. Escalation is
 * resolvable here because this subgraph adds Escalation.themes and Escalation.debrief.
 */

@Directive('@key(fields: "id")')
@ObjectType('Escalation')
export class EscalationRef {
  @Field(() => ID)
  id!: string;
}

@Directive('@key(fields: "id", resolvable: false)')
@ObjectType('Board')
export class BoardRef {
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
