import { PlanType } from '@hub/schema';
import { ArrayMaxSize, IsOptional, IsUUID, ValidateNested } from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';
import { ChildSubjectInput } from './child-subject.input.js';

@InputType()
export class CreateCaseInput {
  @Field(() => ID)
  @IsUUID('all', { message: 'must be an id (UUID)' })
  boardId!: string;

  @Field(() => ChildSubjectInput)
  @ValidateNested()
  child!: ChildSubjectInput;

  @Field(() => PlanType)
  planType!: PlanType;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  @IsUUID('all', { message: 'must be an id (UUID)' })
  leadAgencyId?: string | null;

  @Field(() => [ID])
  @ArrayMaxSize(50)
  @IsUUID('all', { each: true, message: 'must list agency ids (UUIDs)' })
  involvedAgencyIds!: string[];
}
