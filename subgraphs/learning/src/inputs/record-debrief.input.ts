import { NonBlank } from '@hub/kit';
import { ArrayMaxSize, ArrayMinSize, IsUUID } from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';

@InputType()
export class RecordDebriefInput {
  @Field(() => ID)
  @IsUUID('all', { message: 'must be an id (UUID)' })
  escalationId!: string;

  @Field()
  heldAt!: Date;

  @Field(() => [ID])
  @ArrayMinSize(1, { message: 'must name at least one attendee' })
  @ArrayMaxSize(50, { message: 'must name at most 50 attendees' })
  @IsUUID('all', { each: true, message: 'must be ids (UUIDs)' })
  attendeeIds!: string[];

  @Field()
  @NonBlank(20000)
  notes!: string;

  @Field(() => [String])
  @ArrayMaxSize(50, { message: 'must hold at most 50 lessons' })
  @NonBlank(2000, { each: true })
  lessons!: string[];
}
