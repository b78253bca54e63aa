import { NonBlank } from '@hub/kit';
import { ArrayMaxSize, IsInt, IsOptional, IsUUID, Min, ValidateNested } from 'class-validator';
import { Field, ID, InputType, Int } from 'type-graphql';
import { OutstandingIssueInput } from './outstanding-issue.input.js';

@InputType()
export class ResolveEscalationInput {
  @Field(() => ID)
  @IsUUID('all', { message: 'must be an id (UUID)' })
  escalationId!: string;

  @Field()
  @NonBlank(5000)
  summary!: string;

  @Field(() => [OutstandingIssueInput], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  outstandingIssues?: OutstandingIssueInput[] | null;

  @Field(() => Int)
  @IsInt()
  @Min(1)
  expectedVersion!: number;
}
