import { percentile } from '../workload/load.runner.js';
import type { WriteSubject } from './writes.subjects.js';

/** The mutations a writing client sends, in the order of one cycle. */
export const MUTATIONS = ['raiseEscalation', 'addEscalationRecord', 'escalateEscalation'] as const;
export type MutationName = (typeof MUTATIONS)[number];

const CATEGORIES = [
  'LEVELS_OF_NEED',
  'NEED_FOR_ACTION',
  'COMMUNICATION',
  'REFERRAL_CRITERIA',
  'ASSESSMENT_OUTCOME',
  'ROLES_AND_RESPONSIBILITIES',
  'INFORMATION_SHARING',
  'SERVICE_PROVISION',
];

const RAISE = /* GraphQL */ `
  mutation Raise($input: RaiseEscalationInput!) {
    raiseEscalation(input: $input) {
      id
      reference
      version
      currentStage {
        number
      }
    }
  }
`;

const RECORD = /* GraphQL */ `
  mutation Record($input: AddEscalationRecordInput!) {
    addEscalationRecord(input: $input) {
      id
    }
  }
`;

const ESCALATE = /* GraphQL */ `
  mutation Escalate($input: EscalateInput!) {
    escalateEscalation(input: $input) {
      id
      version
      currentStage {
        number
      }
    }
  }
`;

/** A writing client: its subject and its own token. */
export interface WriteClient extends WriteSubject {
  token: string;
}

export interface MutationFigures {
  /** Answered without errors. */
  ok: number;
  errors: number;
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  /** The first error, to say what went wrong. */
  firstError: string | null;
}

/** What a writes run did, as its clients saw it. */
export interface WritesRun {
  seconds: number;
  clients: number;
  mutations: Record<MutationName, MutationFigures>;
  /** Every escalation a raise answered, with the reference it answered. */
  raised: { id: string; reference: string; boardId: string }[];
  /** Escalations moved to stage 2 (escalateEscalation answered). */
  escalated: string[];
}

interface Answer {
  data?: Record<string, Record<string, unknown> | null> | null;
  errors?: unknown[];
}

/**
 * Sends one mutation; resolves with its data, or throws with the errors. Network errors and
 * timeouts count as errors too.
 */
async function send(
  url: string,
  token: string,
  correlationId: string,
  query: string,
  input: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${token}`,
      'x-correlation-id': correlationId,
    },
    body: JSON.stringify({ query, variables: { input } }),
    signal: AbortSignal.timeout(60_000),
  });
  const text = await response.text();
  let answer: Answer;
  try {
    answer = JSON.parse(text) as Answer;
  } catch {
    throw new Error(`HTTP ${response.status}: ${text.slice(0, 300)}`);
  }
  const data = answer.data ? Object.values(answer.data)[0] : null;
  if (answer.errors?.length || !data) {
    throw new Error(
      `HTTP ${response.status}: ${JSON.stringify(answer.errors ?? answer).slice(0, 500)}`,
    );
  }
  return data;
}

/**
 * Runs the clients at once for `durationSeconds`: each, in a loop, raises an escalation about
 * its case (stage 1), writes a DISCUSSION to its record (escalating needs a discussion, action
 * or decision at the stage, unless a child is at immediate risk) and escalates it to stage 2
 * with the version the raise answered. A client starts a cycle only before the deadline and
 * finishes it, so every escalation it raised is escalated unless a mutation failed. Latencies are
 * measured per mutation, from sending to the whole answer read.
 */
export async function runWrites(
  url: string,
  clients: readonly WriteClient[],
  options: { durationSeconds: number; noncePrefix: string },
): Promise<WritesRun> {
  const latencies: Record<MutationName, number[]> = {
    raiseEscalation: [],
    addEscalationRecord: [],
    escalateEscalation: [],
  };
  const errors: Record<MutationName, number> = {
    raiseEscalation: 0,
    addEscalationRecord: 0,
    escalateEscalation: 0,
  };
  const firstErrors: Record<MutationName, string | null> = {
    raiseEscalation: null,
    addEscalationRecord: null,
    escalateEscalation: null,
  };
  const raised: WritesRun['raised'] = [];
  const escalated: string[] = [];
  let n = 0;
  const timed = async (
    client: WriteClient,
    name: MutationName,
    query: string,
    input: Record<string, unknown>,
  ): Promise<Record<string, unknown> | null> => {
    n += 1;
    const started = performance.now();
    try {
      const data = await send(url, client.token, `${options.noncePrefix}-${n}`, query, input);
      latencies[name].push(performance.now() - started);
      return data;
    } catch (error) {
      errors[name] += 1;
      firstErrors[name] ??= error instanceof Error ? error.message : String(error);
      return null;
    }
  };
  const started = performance.now();
  const deadline = started + options.durationSeconds * 1000;
  await Promise.all(
    clients.map(async (client, c) => {
      for (let cycle = 0; performance.now() < deadline; cycle += 1) {
        const category = CATEGORIES[(c + cycle) % CATEGORIES.length]!;
        const raise = await timed(client, 'raiseEscalation', RAISE, {
          caseId: client.caseId,
          respondingAgencyId: client.respondingAgencyId,
          category,
          ground: cycle % 5 < 3 ? 'DECISION_CHALLENGE' : 'ACTION_NOT_TAKEN',
          summary: `Benchmark escalation ${cycle + 1} of client ${c + 1}: we disagree with the decision on this referral.`,
          desiredOutcome: 'A multi-agency discussion within five working days.',
        });
        if (!raise) continue;
        const id = String(raise.id);
        raised.push({ id, reference: String(raise.reference), boardId: client.boardId });
        const record = await timed(client, 'addEscalationRecord', RECORD, {
          escalationId: id,
          kind: 'DISCUSSION',
          text: 'Discussed with the responding agency by telephone; no agreement reached.',
        });
        if (!record) continue;
        const moved = await timed(client, 'escalateEscalation', ESCALATE, {
          escalationId: id,
          reason: 'No agreement at practitioner level: escalating to line managers.',
          expectedVersion: Number(raise.version),
        });
        if (moved) escalated.push(id);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const figures = (name: MutationName): MutationFigures => {
    const sorted = Float64Array.from(latencies[name]).sort();
    return {
      ok: sorted.length,
      errors: errors[name],
      p50: percentile(sorted, 50),
      p95: percentile(sorted, 95),
      p99: percentile(sorted, 99),
      mean: sorted.reduce((sum, v) => sum + v, 0) / Math.max(1, sorted.length),
      firstError: firstErrors[name],
    };
  };
  return {
    seconds,
    clients: clients.length,
    mutations: {
      raiseEscalation: figures('raiseEscalation'),
      addEscalationRecord: figures('addEscalationRecord'),
      escalateEscalation: figures('escalateEscalation'),
    },
    raised,
    escalated,
  };
}
