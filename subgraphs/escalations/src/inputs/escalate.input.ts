import { NonBlank } from '@hub/kit';
import { IsInt, IsUUID, Min } from 'class-validator';
import { Field, ID, InputType, Int } from 'type-graphql';

@InputType()
export class EscalateInput {
  @Field(() => ID)
  @IsUUID('all', { message: 'must be an id (UUID)' })
  escalationId!: string;

  @Field()
  @NonBlank(2000)
  reason!: string;

  @Field(() => Int)
  @IsInt()
  @Min(1)
  expectedVersion!: number;
}
