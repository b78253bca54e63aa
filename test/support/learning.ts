/**
 * Every figure of the de-identified statistics, with `$filter` a `StatsFilter` (`boardId` and any
 * narrowing): the learning tests check them one by one, and the replay test compares them all
 * before and after a rebuild.
 */
export const STATS = /* GraphQL */ `
  query ($filter: StatsFilter!) {
    escalationStats(filter: $filter) {
      total
      disclosureThreshold
      byCategory {
        key
        count
        suppressed
      }
      byHighestStage {
        key
        count
        suppressed
      }
      byRaisingAgencyKind {
        key
        count
        suppressed
      }
      byRespondingAgencyKind {
        key
        count
        suppressed
      }
      agencyPairs {
        raising
        responding
        count
        suppressed
      }
      byMonth {
        key
        count
        suppressed
      }
      byTheme {
        key
        count
        suppressed
      }
      byResolutionPanel {
        key
        count
        suppressed
      }
      stagesWithinTimescaleRate
      medianWorkingDaysToOutcome
    }
  }
`;
