import { NonBlank } from '@hub/kit';
import { AgencyKind } from '@hub/schema';
import { IsUUID } from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';

@InputType()
export class CreateAgencyInput {
  @Field(() => ID)
  @IsUUID('all', { message: 'must be an id (UUID)' })
  boardId!: string;

  @Field()
  @NonBlank(200)
  name!: string;

  @Field(() => AgencyKind)
  kind!: AgencyKind;
}
