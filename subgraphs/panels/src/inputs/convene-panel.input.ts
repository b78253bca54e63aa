import { ArrayMaxSize, ArrayMinSize, IsUUID } from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';

@InputType()
export class ConvenePanelInput {
  @Field(() => ID)
  @IsUUID('all', { message: 'must be an id (UUID)' })
  escalationId!: string;

  @Field(() => [ID])
  @ArrayMinSize(1, { message: 'must name at least one member' })
  @ArrayMaxSize(20, { message: 'must name at most 20 members' })
  @IsUUID('all', { each: true, message: 'must be ids (UUIDs)' })
  memberIds!: string[];

  @Field(() => ID)
  @IsUUID('all', { message: 'must be an id (UUID)' })
  chairId!: string;

  @Field(() => Date, { nullable: true })
  hearingAt?: Date | null;
}
