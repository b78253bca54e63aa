import { NonBlank } from '@hub/kit';
import { ArrayMaxSize, IsOptional, IsUUID, ValidateNested } from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';
import { OutstandingIssueInput } from './outstanding-issue.input.js';

@InputType()
export class RecordPanelDecisionInput {
  @Field(() => ID)
  @IsUUID('all', { message: 'must be an id (UUID)' })
  panelId!: string;

  @Field()
  @NonBlank(5000)
  summary!: string;

  @Field()
  @NonBlank(5000)
  nextCourseOfAction!: string;

  @Field(() => [OutstandingIssueInput], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  outstandingIssues?: OutstandingIssueInput[] | null;
}
