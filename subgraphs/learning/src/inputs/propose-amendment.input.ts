import { NonBlank } from '@hub/kit';
import { ArrayMaxSize, IsUUID } from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';

@InputType()
export class ProposeAmendmentInput {
  @Field(() => ID)
  @IsUUID('all', { message: 'must be an id (UUID)' })
  boardId!: string;

  @Field()
  @NonBlank(200)
  title!: string;

  @Field()
  @NonBlank(20000)
  rationale!: string;

  @Field(() => [String])
  @ArrayMaxSize(40, { message: 'must name at most 40 themes' })
  themeCodes!: string[];

  @Field(() => [ID])
  @ArrayMaxSize(1000, { message: 'must cite at most 1000 escalations' })
  @IsUUID('all', { each: true, message: 'must be ids (UUIDs)' })
  evidenceEscalationIds!: string[];
}
