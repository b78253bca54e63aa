import { createLogger, type DatabaseTarget, type HubDatabase } from '@hub/kit';
import { openSubgraphDatabase } from '../dataset/dataset.load.js';

/** Two theme sets the board manager tags with in turn, so every tag is a change. */
const THEME_SETS = [['INFORMATION_SHARING'], ['COMMUNICATION', 'THRESHOLDS']] as const;

const TAG = /* GraphQL */ `
  mutation Tag($escalation: ID!, $themes: [String!]!) {
    tagEscalation(escalationId: $escalation, themeCodes: $themes) {
      id
    }
  }
`;

/** How long the projection may take to apply an event before the benchmark gives up. */
const APPLIED_WITHIN_MS = 30_000;

/**
 * Makes one real event for a board before each measured request: the board manager tags one of
 * the board's escalations through the gateway (EscalationTagged, which the learning service
 * projects into the statistics read model), and `next` resolves once the board's statistics
 * version (stats_board_version, moved in the projection's own transaction) has moved past the
 * version before the tag. So the request after it is the first after an event for the board,
 * whatever the bus's delivery delay. It writes: themes, audit entries and events.
 */
export class BoardEvents {
  private sent = 0;

  private constructor(
    private readonly learning: HubDatabase,
    private readonly gateway: { url: string; token: string },
    private readonly boardId: string,
    private readonly escalationIds: readonly string[],
  ) {}

  static async open(
    learning: DatabaseTarget,
    gateway: { url: string; token: string },
    boardId: string,
    escalationIds: readonly string[],
  ): Promise<BoardEvents> {
    if (!escalationIds.length) throw new Error(`board ${boardId} has no escalation to tag`);
    const db = await openSubgraphDatabase(
      'learning',
      learning,
      createLogger('bench', 'warn'),
      false,
    );
    return new BoardEvents(db, gateway, boardId, escalationIds);
  }

  /** The board's statistics version now. */
  async version(): Promise<number> {
    const rows = await this.learning.orm.em
      .getConnection()
      .execute<{ version: number | string }[]>(
        'select version from stats_board_version where board_id = ?',
        [this.boardId],
      );
    return rows.length ? Number(rows[0]!.version) : 0;
  }

  /** Tags the next escalation and waits until learning has applied the event. */
  async next(correlationId: string): Promise<void> {
    const before = await this.version();
    const n = this.sent++;
    const escalation = this.escalationIds[n % this.escalationIds.length]!;
    // Each escalation gets the other set from the one it got last time round.
    const themes = THEME_SETS[Math.floor(n / this.escalationIds.length) % THEME_SETS.length]!;
    const response = await fetch(this.gateway.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${this.gateway.token}`,
        'x-correlation-id': correlationId,
      },
      body: JSON.stringify({ query: TAG, variables: { escalation, themes } }),
      signal: AbortSignal.timeout(60_000),
    });
    const text = await response.text();
    let answer: { data?: { tagEscalation?: { id: string } }; errors?: unknown } = {};
    try {
      answer = JSON.parse(text) as typeof answer;
    } catch {
      // Not JSON: reported below with the status and the text.
    }
    if (response.status !== 200 || answer.errors || !answer.data?.tagEscalation)
      throw new Error(`tagEscalation failed: HTTP ${response.status}: ${text.slice(0, 300)}`);
    const deadline = Date.now() + APPLIED_WITHIN_MS;
    while ((await this.version()) <= before) {
      if (Date.now() > deadline)
        throw new Error(
          `learning did not apply the tag of escalation ${escalation} within ${APPLIED_WITHIN_MS / 1000} s`,
        );
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }

  async close(): Promise<void> {
    await this.learning.close();
  }
}
