import { BadUserInputError, ForbiddenError, NotFoundError } from '@hub/kit';
import { AgencyKind, DisagreementCategory } from '@hub/schema';
import { Arg, Ctx, Query, Resolver } from 'type-graphql';
import { assertAnalyticsOf } from '../access.js';
import type { LearningContext } from '../context.js';
import { LearningTheme } from '../entities/learning-theme.entity.js';
import { StatsFilter } from '../inputs/stats-filter.input.js';
import {
  computeStats,
  type ComputedStats,
  DIMENSION_FIELDS,
  DisclosureRefusal,
  medianWorkingDaysToOutcome,
  type StatsCriteria,
} from '../stats/stats.compute.js';
import { activeThemes } from '../themes.js';
import { EscalationStats } from '../types/escalation-stats.type.js';

@Resolver(() => EscalationStats)
export class EscalationStatsResolver {
  /**
   * De-identified figures for the board's analysts and board managers, from the read model the
   * domain events build, with small numbers suppressed (docs/learning.md).
   */
  @Query(() => EscalationStats)
  async escalationStats(
    @Arg('filter') filter: StatsFilter,
    @Ctx() ctx: LearningContext,
  ): Promise<EscalationStats> {
    assertAnalyticsOf(ctx.actor, filter.boardId);
    const board = await ctx.facts.board.load(filter.boardId);
    if (!board) throw new NotFoundError('board', filter.boardId, 'filter.boardId');
    const threshold = board.disclosureThreshold;
    const criteria = await criteriaOf(ctx, filter);
    const themes = await ctx.em.find(LearningTheme, { active: true }, { orderBy: { bit: 'asc' } });
    const table = await ctx.statsTables.table(ctx.em, filter.boardId);
    const figures = ctx.statsTables.figuresOf<Figures>(
      table,
      figuresKey(criteria, themes, threshold),
      () => {
        try {
          return {
            computed: computeStats(
              table,
              criteria,
              themes,
              {
                categories: Object.values(DisagreementCategory),
                agencyKinds: Object.values(AgencyKind),
              },
              threshold,
            ),
            median: medianWorkingDaysToOutcome(table, criteria, threshold),
          };
        } catch (error) {
          if (!(error instanceof DisclosureRefusal)) throw error;
          return { refusal: error };
        }
      },
    );
    if ('refusal' in figures) {
      const { dimension } = figures.refusal;
      const field = dimension ? DIMENSION_FIELDS[dimension] : 'filter';
      throw new ForbiddenError(
        `These figures would let a count below the board's disclosure threshold (${threshold}) be worked out, on its own or by comparing them with a wider filter: widen or leave out ${field}.`,
        { field, reason: 'DISCLOSURE_CONTROL' },
      );
    }
    const { computed, median } = figures;
    await ctx.audit({ action: 'stats.read', entityType: 'Board', entityIds: [filter.boardId] });
    return {
      ...computed,
      agencyPairs: computed.agencyPairs.map(({ key, count, suppressed }) => {
        const [raising, responding] = key.split('|') as [AgencyKind, AgencyKind];
        return { raising, responding, count, suppressed };
      }),
      medianWorkingDaysToOutcome: median,
      disclosureThreshold: threshold,
    };
  }
}

/** What a board's table gives for one filter: the figures, or disclosure control's refusal. */
type Figures = { computed: ComputedStats; median: number | null } | { refusal: DisclosureRefusal };

/** Everything the figures depend on besides the board's table, as one string. */
function figuresKey(
  criteria: StatsCriteria,
  themes: readonly { code: string; bit: number }[],
  threshold: number,
): string {
  const sorted = (set: ReadonlySet<string> | undefined) => (set ? [...set].sort() : null);
  return JSON.stringify([
    criteria.fromMonth ?? null,
    criteria.toMonth ?? null,
    sorted(criteria.categories),
    sorted(criteria.raising),
    sorted(criteria.responding),
    criteria.themeMask ?? null,
    themes.map((theme) => [theme.code, theme.bit]),
    threshold,
  ]);
}

/** Figures are kept by month: from and to must be whole months. */
async function criteriaOf(ctx: LearningContext, filter: StatsFilter): Promise<StatsCriteria> {
  const criteria: StatsCriteria = {};
  if (filter.from) {
    if (!filter.from.endsWith('-01'))
      throw new BadUserInputError(
        'filter.from',
        'statistics are kept by month: give the first day of a month',
      );
    criteria.fromMonth = filter.from.slice(0, 7);
  }
  if (filter.to) {
    const [year, month] = filter.to.split('-').map(Number) as [number, number];
    const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
    if (Number(filter.to.slice(8)) !== last)
      throw new BadUserInputError(
        'filter.to',
        'statistics are kept by month: give the last day of a month',
      );
    criteria.toMonth = filter.to.slice(0, 7);
  }
  if (criteria.fromMonth && criteria.toMonth && criteria.fromMonth > criteria.toMonth)
    throw new BadUserInputError('filter.to', 'must not be before filter.from');
  if (filter.categories) criteria.categories = new Set(filter.categories);
  if (filter.raisingAgencyKinds) criteria.raising = new Set(filter.raisingAgencyKinds);
  if (filter.respondingAgencyKinds) criteria.responding = new Set(filter.respondingAgencyKinds);
  if (filter.themeCodes) {
    const themes = await activeThemes(ctx, filter.themeCodes, 'filter.themeCodes');
    criteria.themeMask = themes.reduce((mask, theme) => mask | (1 << theme.bit), 0);
  }
  return criteria;
}
