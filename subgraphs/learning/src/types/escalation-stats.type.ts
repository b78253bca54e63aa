import { AgencyKind } from '@hub/schema';
import { Field, Float, Int, ObjectType } from 'type-graphql';

@ObjectType({
  description:
    "A count that may be suppressed: count is null and suppressed true when 0 < n < the board's disclosureThreshold.",
})
export class CountBucket {
  @Field()
  key!: string;

  @Field(() => Int, { nullable: true })
  count!: number | null;

  @Field()
  suppressed!: boolean;
}

@ObjectType()
export class AgencyPairCount {
  @Field(() => AgencyKind)
  raising!: AgencyKind;

  @Field(() => AgencyKind)
  responding!: AgencyKind;

  @Field(() => Int, { nullable: true })
  count!: number | null;

  @Field()
  suppressed!: boolean;
}

@ObjectType({
  description:
    'De-identified figures over the escalations that match a StatsFilter. Holds no child, case or practitioner data.',
})
export class EscalationStats {
  @Field(() => Int)
  total!: number;

  @Field(() => [CountBucket], { description: 'Key: DisagreementCategory.' })
  byCategory!: CountBucket[];

  @Field(() => [CountBucket], { description: 'Key: the highest stage number reached.' })
  byHighestStage!: CountBucket[];

  @Field(() => [CountBucket], { description: 'Key: AgencyKind.' })
  byRaisingAgencyKind!: CountBucket[];

  @Field(() => [CountBucket], { description: 'Key: AgencyKind.' })
  byRespondingAgencyKind!: CountBucket[];

  @Field(() => [AgencyPairCount])
  agencyPairs!: AgencyPairCount[];

  @Field(() => [CountBucket], { description: 'Key: YYYY-MM of raisedAt.' })
  byMonth!: CountBucket[];

  @Field(() => [CountBucket], { description: 'Key: LearningTheme.code.' })
  byTheme!: CountBucket[];

  @Field(() => [CountBucket], {
    description: 'Key: CONVENED for escalations heard by a resolution panel, NONE for the others.',
  })
  byResolutionPanel!: CountBucket[];

  @Field(() => Float, {
    nullable: true,
    description:
      "Share (0..1) of completed stages completed by their dueAt; null when none completed (or fewer than the board's disclosureThreshold).",
  })
  stagesWithinTimescaleRate!: number | null;

  @Field(() => Float, {
    nullable: true,
    description:
      "Median working days from raisedAt to the agreed outcome, over resolved and closed escalations; null when none (or fewer than the board's disclosureThreshold).",
  })
  medianWorkingDaysToOutcome!: number | null;

  @Field(() => Int, {
    description: "The board's disclosureThreshold these figures were suppressed with.",
  })
  disclosureThreshold!: number;
}
