import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import {
  getVariableValues,
  GraphQLError,
  Kind,
  type FragmentDefinitionNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { operationCost } from './query-cost.js';

/** An operation deeper or costlier than the gateway allows; the client sees BAD_USER_INPUT. */
export class QueryLimitError extends GraphQLError {
  constructor(
    message: string,
    readonly limit: 'depth' | 'cost',
  ) {
    // Thrown from a request hook (cost), Apollo would answer 500 unless told otherwise.
    super(message, { extensions: { http: { status: 400 } } });
  }
}

/** True when Apollo's validation error wraps a QueryLimitError. */
export function isQueryLimitError(error: unknown): boolean {
  return (
    error instanceof QueryLimitError ||
    (error instanceof GraphQLError && error.originalError instanceof QueryLimitError)
  );
}

export interface QueryLimits {
  maxDepth: number;
  maxCost: number;
}

/**
 * graphql-armor's depth rule, made to report instead of throw: a throw from a validation rule
 * escapes graphql-js's validate() and Apollo answers 500. Armor's messages start with
 * "Syntax Error:", which this is not, so that prefix goes.
 */
export function queryLimitRules(limits: Pick<QueryLimits, 'maxDepth'>): ValidationRule[] {
  const report = (context: ValidationContext | null, error: GraphQLError) =>
    context?.reportError(
      new QueryLimitError(error.message.replace(/^Syntax Error: /, ''), 'depth'),
    );
  return [
    maxDepthRule({
      n: limits.maxDepth,
      propagateOnRejection: false,
      onReject: [report],
    }) as ValidationRule,
  ];
}

/**
 * Refuses an operation whose estimated cost (operationCost, docs/limits.md) exceeds `maxCost`.
 * A request hook rather than a validation rule: page sizes usually come in variables
 * (`first: $first`), which validation never sees, and Apollo caches a document's validation
 * across requests with different variables.
 */
export function queryCostPlugin<C extends BaseContext>(
  limits: Pick<QueryLimits, 'maxCost'>,
): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request }) {
          // Apollo refuses a document naming no operation to run before this hook.
          if (!operation) return;
          const { coerced } = getVariableValues(
            schema,
            operation.variableDefinitions ?? [],
            request.variables ?? {},
          );
          // Variables that do not fit their types are refused by the gateway before anything runs.
          if (!coerced) return;
          const fragments: Record<string, FragmentDefinitionNode> = {};
          for (const definition of document.definitions) {
            if (definition.kind === Kind.FRAGMENT_DEFINITION) {
              fragments[definition.name.value] = definition;
            }
          }
          const cost = operationCost(schema, fragments, operation, coerced);
          if (cost > limits.maxCost) {
            throw new QueryLimitError(
              `Query cost limit of ${limits.maxCost} exceeded, found ${cost}: ` +
                'ask for smaller pages (first:) or fewer nested lists.',
              'cost',
            );
          }
        },
      };
    },
  };
}
