import {
  ArrayMaxSize,
  ArrayMinSize,
  IsInt,
  IsUUID,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { Field, ID, InputType, Int } from 'type-graphql';
import { StageDefinitionInput } from './stage-definition.input.js';

@InputType()
export class UpdateEscalationPolicyInput {
  @Field(() => ID)
  @IsUUID('all', { message: 'must be an id (UUID)' })
  boardId!: string;

  @Field(() => [StageDefinitionInput])
  @ArrayMinSize(1, { message: 'must have at least one stage' })
  @ArrayMaxSize(10, { message: 'must have at most 10 stages' })
  @ValidateNested({ each: true })
  stages!: StageDefinitionInput[];

  @Field(() => Int)
  @IsInt()
  @Min(2, { message: 'must be at least 2' })
  @Max(10, { message: 'must be at most 10' })
  panelAgencyCount!: number;

  @Field(() => Int)
  @IsInt()
  @Min(1)
  expectedVersion!: number;
}
