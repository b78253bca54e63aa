import { NonBlank } from '@hub/kit';
import { ArrayMaxSize, IsOptional, IsUUID } from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';
import { RecordKind } from '../enums.js';

@InputType()
export class AddEscalationRecordInput {
  @Field(() => ID)
  @IsUUID('all', { message: 'must be an id (UUID)' })
  escalationId!: string;

  @Field(() => RecordKind)
  kind!: RecordKind;

  @Field()
  @NonBlank(10000)
  text!: string;

  @Field(() => Date, { nullable: true })
  occurredAt?: Date | null;

  @Field(() => [ID], {
    nullable: true,
    description: 'Practitioners to share with, besides those who are always included.',
  })
  @IsOptional()
  @ArrayMaxSize(50)
  @IsUUID('all', { each: true, message: 'must list practitioner ids (UUIDs)' })
  sharedWithIds?: string[] | null;
}
