import { LocalDate, NonBlank } from '@hub/kit';
import { IsUUID } from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';

@InputType()
export class OutstandingIssueInput {
  @Field()
  @NonBlank(1000)
  description!: string;

  @Field(() => ID)
  @IsUUID('all', { message: 'must be an id (UUID)' })
  ownerAgencyId!: string;

  @Field(() => LocalDate, { nullable: true })
  dueDate?: string | null;
}
