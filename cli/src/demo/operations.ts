/**
 * The escalation operations the demo seeds send through the public API, as the demo's people.
 * Each selects what any seed reads back (`id`, and `version` for the next step's
 * `expectedVersion`), so that the seeds share one copy.
 */

export const RAISE = /* GraphQL */ `
  mutation ($input: RaiseEscalationInput!) {
    raiseEscalation(input: $input) {
      id
      version
    }
  }
`;
export const RECORD = /* GraphQL */ `
  mutation ($input: AddEscalationRecordInput!) {
    addEscalationRecord(input: $input) {
      id
    }
  }
`;
export const ESCALATE = /* GraphQL */ `
  mutation ($input: EscalateInput!) {
    escalateEscalation(input: $input) {
      id
      version
    }
  }
`;
export const RESOLVE = /* GraphQL */ `
  mutation ($input: ResolveEscalationInput!) {
    resolveEscalation(input: $input) {
      id
      version
    }
  }
`;
export const CONFIRM = /* GraphQL */ `
  mutation ($id: ID!) {
    confirmOutcome(escalationId: $id) {
      id
      version
    }
  }
`;
export const WITHDRAW = /* GraphQL */ `
  mutation ($id: ID!, $reason: String!) {
    withdrawEscalation(escalationId: $id, reason: $reason) {
      id
    }
  }
`;
