import { Role } from '@hub/schema';
import { Field, Int, ObjectType } from 'type-graphql';

@ObjectType()
export class StageDefinition {
  @Field(() => Int, { description: '1-based position; stages run in this order.' })
  number!: number;

  @Field()
  name!: string;

  @Field({
    description: "Who meets at this stage, in words, e.g. 'Line managers of both practitioners'.",
  })
  participants!: string;

  @Field(() => [Role], {
    description:
      'Roles that may record the result of this stage or escalate from it (besides the raiser).',
  })
  actingRoles!: Role[];

  @Field(() => Int, {
    description: 'Working days allowed from entering the stage to resolving or escalating it.',
  })
  timescaleWorkingDays!: number;

  @Field({
    description:
      "True for the board's resolution panel stage. A policy has at most one, and it is the last stage.",
  })
  resolutionPanel!: boolean;
}

@ObjectType()
export class EscalationPolicy {
  /** The board's id; the `board` field resolves it as a reference. */
  boardId!: string;

  @Field(() => Int, {
    description:
      'Increments on every change; past versions stay attached to the escalations raised under them.',
  })
  version!: number;

  @Field(() => [StageDefinition])
  stages!: StageDefinition[];

  @Field(() => Int, {
    description: 'Distinct agencies a resolution panel draws its members from. Default 3.',
  })
  panelAgencyCount!: number;

  @Field()
  updatedAt!: Date;
}
