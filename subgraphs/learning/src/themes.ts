import { BadUserInputError } from '@hub/kit';
import type { LearningContext } from './context.js';
import type { LearningTheme } from './entities/learning-theme.entity.js';

/**
 * The themes `codes` name, each known and active; otherwise BAD_USER_INPUT naming the entry
 * (`field.N`). Duplicates count once.
 */
export async function activeThemes(
  ctx: LearningContext,
  codes: readonly string[],
  field: string,
): Promise<LearningTheme[]> {
  const found = await ctx.loaders.themeByCode.loadMany([...codes]);
  const themes = new Map<string, LearningTheme>();
  found.forEach((theme, i) => {
    if (!theme || theme instanceof Error) {
      throw new BadUserInputError(
        `${field}.${i}`,
        `unknown learning theme ${JSON.stringify(codes[i])}; learningThemes lists the codes`,
      );
    }
    if (!theme.active) {
      throw new BadUserInputError(
        `${field}.${i}`,
        `the learning theme ${theme.code} is no longer in use; choose an active theme`,
      );
    }
    themes.set(theme.code, theme);
  });
  return [...themes.values()];
}
