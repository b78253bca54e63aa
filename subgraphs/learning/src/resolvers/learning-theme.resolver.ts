import { Ctx, Query, Resolver } from 'type-graphql';
import type { LearningContext } from '../context.js';
import { LearningTheme } from '../entities/learning-theme.entity.js';

@Resolver(() => LearningTheme)
export class LearningThemeResolver {
  /** The taxonomy is the same for every board and holds nothing about a case: anyone signed in reads it. */
  @Query(() => [LearningTheme])
  learningThemes(@Ctx() ctx: LearningContext): Promise<LearningTheme[]> {
    return ctx.em.find(LearningTheme, {}, { orderBy: { bit: 'asc' } });
  }
}
