import { NonBlank } from '@hub/kit';
import { Role } from '@hub/schema';
import { ArrayNotEmpty, IsInt, Max, Min } from 'class-validator';
import { Field, InputType, Int } from 'type-graphql';

@InputType()
export class StageDefinitionInput {
  @Field()
  @NonBlank(100)
  name!: string;

  @Field()
  @NonBlank(500)
  participants!: string;

  @Field(() => [Role])
  @ArrayNotEmpty({ message: 'must name at least one role' })
  actingRoles!: Role[];

  @Field(() => Int)
  @IsInt()
  @Min(1, { message: 'must be from 1 to 60 working days' })
  @Max(60, { message: 'must be from 1 to 60 working days' })
  timescaleWorkingDays!: number;

  @Field()
  resolutionPanel!: boolean;
}
