import { NonBlank } from '@hub/kit';
import { IsUUID } from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';

@InputType()
export class SubmitRepresentationInput {
  @Field(() => ID)
  @IsUUID('all', { message: 'must be an id (UUID)' })
  panelId!: string;

  @Field()
  @NonBlank(10000)
  statement!: string;
}
