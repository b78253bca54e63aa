/** The front-end operations the workload benchmark sends (issue 12, part 2). */
export type OperationName = 'case-page' | 'escalation-list' | 'overdue-list';

export const OPERATION_NAMES: readonly OperationName[] = [
  'case-page',
  'escalation-list',
  'overdue-list',
];

/** Who asks, and about what: ids picked from the dataset (workload.subjects.ts). */
export interface WorkloadSubjects {
  casePage: { caseId: string; practitionerId: string; escalations: number };
  escalationList: { practitionerId: string; visible: number };
  overdueList: { boardId: string; managerId: string; overdue: number };
}

/** What the operations answer, as far as the benchmark reads it. */
export interface OperationData {
  case?: { escalations?: unknown[] } | null;
  escalations?: { totalCount?: number; edges?: unknown[] } | null;
}

export interface Operation {
  name: OperationName;
  /** One line for the results table. */
  title: string;
  query: string;
  /** The practitioner whose token sends it. */
  practitionerId: string;
  variables: Record<string, unknown>;
  /** What a correct answer holds, checked once before measuring (an error answer is fast). */
  check(data: OperationData): string | null;
}

/** A case page: the case with its child, agencies and every escalation in full. */
export const CASE_PAGE = /* GraphQL */ `
  query CasePage($id: ID!) {
    case(id: $id) {
      id
      reference
      planType
      createdAt
      child {
        id
        name
        dateOfBirth
        identifiers {
          system
          value
        }
      }
      leadAgency {
        id
        name
        kind
      }
      involvedAgencies {
        id
        name
        kind
      }
      escalations {
        id
        reference
        status
        category
        ground
        summary
        immediateRisk
        raisedAt
        closedAt
        version
        raisedBy {
          id
          name
        }
        raisingAgency {
          id
          name
          kind
        }
        respondingAgency {
          id
          name
          kind
        }
        currentStage {
          number
          name
          dueAt
          overdue
        }
        stages {
          number
          name
          enteredAt
          dueAt
          completedAt
          result
          overdue
        }
        records {
          id
          stageNumber
          kind
          text
          occurredAt
          recordedAt
          author {
            id
            name
          }
        }
        panel {
          id
          status
          convenedAt
          hearingAt
          members {
            chair
            practitioner {
              id
              name
            }
            agency {
              id
              name
            }
          }
        }
        themes {
          id
          code
          title
        }
      }
    }
  }
`;

/** A practitioner's escalation list: newest first, with case reference and current stage. */
export const ESCALATION_LIST = /* GraphQL */ `
  query EscalationList($first: Int!) {
    escalations(first: $first) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          reference
          status
          category
          raisedAt
          case {
            id
            reference
          }
          currentStage {
            number
            name
            dueAt
            overdue
          }
        }
      }
    }
  }
`;

/** The board manager's overdue list: the board's open escalations past their stage's due date. */
export const OVERDUE_LIST = /* GraphQL */ `
  query OverdueList($boardId: ID!, $first: Int!) {
    escalations(filter: { boardId: $boardId, overdue: true }, first: $first) {
      totalCount
      edges {
        node {
          id
          reference
          status
          raisedAt
          case {
            id
            reference
          }
          raisingAgency {
            id
            name
          }
          respondingAgency {
            id
            name
          }
          currentStage {
            number
            name
            dueAt
            overdue
          }
        }
      }
    }
  }
`;

/** The three operations for these subjects, lists `first` long (50 in the workload). */
export function workloadOperations(subjects: WorkloadSubjects, first = 50): Operation[] {
  const listLength = (expected: number) => (data: OperationData) => {
    const edges = data.escalations?.edges?.length;
    const want = Math.min(expected, first);
    return edges === want ? null : `expected ${want} escalations, got ${edges}`;
  };
  return [
    {
      name: 'case-page',
      title: `case page (${subjects.casePage.escalations} escalations)`,
      query: CASE_PAGE,
      practitionerId: subjects.casePage.practitionerId,
      variables: { id: subjects.casePage.caseId },
      check: (data) => {
        const seen = data.case?.escalations?.length;
        return seen === subjects.casePage.escalations
          ? null
          : `expected ${subjects.casePage.escalations} escalations on the case, got ${seen}`;
      },
    },
    {
      name: 'escalation-list',
      title: `escalations(first: ${first})`,
      query: ESCALATION_LIST,
      practitionerId: subjects.escalationList.practitionerId,
      variables: { first },
      check: listLength(subjects.escalationList.visible),
    },
    {
      name: 'overdue-list',
      title: `board manager's overdue list (first: ${first})`,
      query: OVERDUE_LIST,
      practitionerId: subjects.overdueList.managerId,
      variables: { boardId: subjects.overdueList.boardId, first },
      check: listLength(subjects.overdueList.overdue),
    },
  ];
}
