import { graphqlRequest } from '../graphql-client.js';
import { CONFIRM, ESCALATE, RAISE, RECORD, RESOLVE, WITHDRAW } from './operations.js';
import type { AgencyKey, DemoData, SeedTarget } from './seed.js';

/**
 * How a past escalation went: resolved at stage 1 within its timescale and confirmed by both
 * agencies (`closed`), or by one only (`resolved`); resolved at stage 1 after its deadline
 * (`late`); resolved at stage 2 or 3 after escalating (`stage2`, `stage3`); withdrawn.
 */
type Path = 'closed' | 'resolved' | 'late' | 'stage2' | 'stage3' | 'withdrawn';

/** The practitioner who raises, or confirms, for each agency. */
const PRACTITIONER_OF: Record<Exclude<AgencyKey, 'businessUnit'>, string> = {
  police: 'police',
  health: 'health',
  school: 'school',
  socialCare: 'csc',
  earlyHelp: 'earlyHelp',
  housing: 'housing',
};
type CaseworkAgency = keyof typeof PRACTITIONER_OF;

/** What a disagreement of each category is about, in the demo's words. */
const WORDS: Record<string, { summary: string; desiredOutcome: string }> = {
  INFORMATION_SHARING: {
    summary: 'Information asked for at the last core group has not been shared.',
    desiredOutcome: 'The information shared before the next core group.',
  },
  LEVELS_OF_NEED: {
    summary: 'The referral was assessed as below the threshold for a statutory assessment.',
    desiredOutcome: 'The threshold decision reviewed with the referrer.',
  },
  NEED_FOR_ACTION: {
    summary: 'No action was agreed after a further incident was reported.',
    desiredOutcome: 'A strategy discussion to agree what is done next.',
  },
  COMMUNICATION: {
    summary: 'Messages about the family have gone unanswered for two weeks.',
    desiredOutcome: 'A named contact and a reply within two working days.',
  },
  REFERRAL_CRITERIA: {
    summary: 'The referral was returned as not meeting the criteria.',
    desiredOutcome: 'The referral accepted or the reasons given in writing.',
  },
  ROLES_AND_RESPONSIBILITIES: {
    summary: 'Neither agency has taken the lead on the actions agreed at the meeting.',
    desiredOutcome: 'A lead agency named for each action.',
  },
  SERVICE_PROVISION: {
    summary: 'The family was told the service has a six-month wait.',
    desiredOutcome: 'An interim offer while the family waits.',
  },
};

/**
 * The demo board's past disagreements: 20 over the six months before this one, raised on the
 * first weekday from the 5th or the 19th of their month (last month only the 5th, so that all of
 * it is over before the overdue escalation of two weeks ago). Counts are uneven on purpose
 * (information sharing, levels of need, police and health → social care are common; early
 * help, service provision and some months rare), so that the statistics show some figures and
 * suppress others. Every pair is of agencies already involved in the case, so no one sees a case
 * they did not see before.
 */
const PAST: [
  monthsAgo: number,
  dayOfMonth: 5 | 19,
  by: CaseworkAgency,
  against: CaseworkAgency,
  /** Index into the demo's cases. */
  caseIndex: number,
  category: keyof typeof WORDS,
  path: Path,
  /** Working days from raising to the outcome (closed and resolved). @default 1 */
  days?: number,
][] = [
  [6, 5, 'police', 'socialCare', 3, 'LEVELS_OF_NEED', 'closed'],
  [6, 19, 'health', 'socialCare', 0, 'INFORMATION_SHARING', 'closed', 2],
  [5, 5, 'police', 'socialCare', 3, 'NEED_FOR_ACTION', 'closed', 0],
  [5, 5, 'health', 'police', 0, 'INFORMATION_SHARING', 'closed'],
  [5, 5, 'school', 'socialCare', 1, 'LEVELS_OF_NEED', 'stage2'],
  [5, 19, 'socialCare', 'police', 0, 'COMMUNICATION', 'closed', 3],
  [5, 19, 'health', 'school', 0, 'INFORMATION_SHARING', 'closed'],
  [4, 5, 'police', 'socialCare', 3, 'LEVELS_OF_NEED', 'late'],
  [4, 19, 'school', 'health', 0, 'ROLES_AND_RESPONSIBILITIES', 'closed', 2],
  [4, 19, 'earlyHelp', 'socialCare', 1, 'SERVICE_PROVISION', 'closed'],
  [3, 5, 'police', 'socialCare', 3, 'LEVELS_OF_NEED', 'stage2'],
  [3, 5, 'health', 'socialCare', 0, 'INFORMATION_SHARING', 'resolved'],
  [3, 5, 'health', 'police', 0, 'INFORMATION_SHARING', 'late'],
  [3, 19, 'police', 'school', 3, 'INFORMATION_SHARING', 'closed'],
  [3, 19, 'socialCare', 'police', 0, 'INFORMATION_SHARING', 'stage3'],
  [3, 19, 'school', 'socialCare', 1, 'REFERRAL_CRITERIA', 'withdrawn'],
  [2, 5, 'police', 'socialCare', 3, 'NEED_FOR_ACTION', 'stage3'],
  [2, 19, 'health', 'socialCare', 0, 'LEVELS_OF_NEED', 'closed', 2],
  [1, 5, 'police', 'health', 0, 'COMMUNICATION', 'stage2'],
  [1, 5, 'socialCare', 'school', 3, 'NEED_FOR_ACTION', 'closed'],
];

/** One past escalation as the learning seed needs it. */
export interface PastEscalation {
  id: string;
  category: string;
  /** The demo practitioner (key) who raised it. */
  raisedBy: string;
  path: Path;
}

/** The demo's past escalations, oldest first. */
export interface DemoHistory {
  escalations: PastEscalation[];
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** `from` moved `n` weekdays on (bank holidays are not skipped: only the order matters here). */
function weekdaysAfter(from: Date, n: number): Date {
  const at = new Date(from);
  for (let left = n; left > 0;) {
    at.setTime(at.getTime() + DAY_MS);
    if (at.getUTCDay() !== 0 && at.getUTCDay() !== 6) left -= 1;
  }
  return at;
}

/** The first weekday from `dayOfMonth` of the month `monthsAgo` before now's, at 09:30 UTC. */
function raiseDay(monthsAgo: number, dayOfMonth: number, now: Date): Date {
  const at = new Date(
    Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - monthsAgo, dayOfMonth, 9, 30),
  );
  while (at.getUTCDay() === 0 || at.getUTCDay() === 6) at.setTime(at.getTime() + DAY_MS);
  return at;
}

/**
 * The demo board's past: 20 escalations over the previous six months, each raised, discussed,
 * escalated, resolved, confirmed or withdrawn through the public API by the demo practitioners,
 * with the hub's clock set to when it happened (as for the overdue escalation, docs/decisions.md),
 * then set back to the real time. Run before seedDemoEscalations, so that references follow
 * the order escalations were raised in. All of them end resolved, closed or withdrawn weeks ago:
 * none is open, so none is overdue.
 *
 * Steps that happen at the same moment go to the hub together (raising, one after another); the
 * moments are few because the escalations share their raise days.
 */
export async function seedDemoHistory(
  target: SeedTarget & Required<Pick<SeedTarget, 'setClock'>>,
  demo: DemoData,
): Promise<DemoHistory> {
  const tokens = new Map<string, string>();
  const tokenOf = async (person: string) => {
    let token = tokens.get(person);
    if (!token) {
      token = await target.tokenFor(demo.people[person]!.id);
      tokens.set(person, token);
    }
    return token;
  };
  const as = async <T>(person: string, query: string, variables: Record<string, unknown>) =>
    graphqlRequest<T>(target.url, await tokenOf(person), query, variables);

  const now = new Date();
  /** `raise` steps of one moment go one after another, so references follow raisedAt. */
  const steps: { at: number; raise?: true; run: () => Promise<void> }[] = [];
  const escalations: PastEscalation[] = PAST.map(([, , by, , , category, path]) => ({
    id: '',
    category,
    raisedBy: PRACTITIONER_OF[by],
    path,
  }));
  PAST.forEach(([monthsAgo, dayOfMonth, by, against, caseIndex, category, path, days = 1], i) => {
    const escalation = escalations[i]!;
    const raiser = PRACTITIONER_OF[by];
    const responder = PRACTITIONER_OF[against];
    const raisedOn = raiseDay(monthsAgo, dayOfMonth, now);
    let version = 0;
    /** `hour` (UTC) on the weekday `day` weekdays after raising. */
    const step = (after: number, hour: number, run: () => Promise<unknown>) => {
      steps.push({
        at: weekdaysAfter(raisedOn, after).setUTCHours(hour, 0, 0, 0),
        run: async () => void (await run()),
      });
    };
    const record = (after: number, hour: number, text: string) =>
      step(after, hour, () =>
        as(raiser, RECORD, { input: { escalationId: escalation.id, kind: 'DISCUSSION', text } }),
      );
    const escalate = (after: number, hour: number) =>
      step(after, hour, async () => {
        const { escalateEscalation } = await as<{ escalateEscalation: { version: number } }>(
          raiser,
          ESCALATE,
          {
            input: {
              escalationId: escalation.id,
              reason: 'No agreement at this stage.',
              expectedVersion: version,
            },
          },
        );
        version = escalateEscalation.version;
      });
    const resolve = (after: number, confirmedBy: string[]) => {
      record(after, 11, 'Met and agreed a way forward.');
      step(after, 15, () =>
        as(raiser, RESOLVE, {
          input: {
            escalationId: escalation.id,
            summary: 'Agreed between the agencies; the plan is updated.',
            expectedVersion: version,
          },
        }),
      );
      for (const person of confirmedBy)
        step(after + 1, person === raiser ? 9 : 10, () =>
          as(person, CONFIRM, { id: escalation.id }),
        );
    };

    steps.push({
      at: raisedOn.getTime(),
      raise: true,
      run: async () => {
        const { raiseEscalation } = await as<{ raiseEscalation: { id: string; version: number } }>(
          raiser,
          RAISE,
          {
            input: {
              caseId: demo.cases[caseIndex],
              respondingAgencyId: demo.agencies[against],
              category,
              ground: 'DECISION_CHALLENGE',
              ...WORDS[category],
            },
          },
        );
        escalation.id = raiseEscalation.id;
        version = raiseEscalation.version;
      },
    });
    switch (path) {
      case 'closed':
        resolve(days, [raiser, responder]);
        break;
      case 'resolved':
        resolve(days, [raiser]);
        break;
      case 'late':
        // Past the stage's three working days, even with bank holidays in between.
        resolve(7, [raiser, responder]);
        break;
      case 'stage2':
        record(0, 14, 'Spoke by phone; no agreement.');
        escalate(1, 10);
        resolve(3, [raiser, responder]);
        break;
      case 'stage3':
        record(0, 14, 'Spoke by phone; no agreement.');
        escalate(1, 10);
        record(1, 14, 'Line managers met; still no agreement.');
        escalate(2, 10);
        resolve(4, [raiser, responder]);
        break;
      case 'withdrawn':
        step(1, 10, () =>
          as(raiser, WITHDRAW, {
            id: escalation.id,
            reason: 'Resolved informally after a phone call.',
          }),
        );
        break;
    }
  });

  // All of it before the overdue escalation, raised 14 days ago, and so before anything today.
  const latest = Math.max(...steps.map((step) => step.at));
  if (latest > now.getTime() - 15 * DAY_MS)
    throw new Error(`the demo history would end on ${new Date(latest).toISOString()}: too late`);
  const moments = new Map<number, typeof steps>();
  for (const step of steps) moments.set(step.at, [...(moments.get(step.at) ?? []), step]);
  try {
    for (const at of [...moments.keys()].sort((a, b) => a - b)) {
      target.setClock(new Date(at));
      const moment = moments.get(at)!;
      for (const step of moment.filter((s) => s.raise)) await step.run();
      await Promise.all(moment.filter((s) => !s.raise).map((s) => s.run()));
    }
  } finally {
    target.setClock(null);
  }
  return { escalations };
}
