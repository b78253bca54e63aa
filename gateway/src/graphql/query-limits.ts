import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { GraphQLError, type ValidationContext, type ValidationRule } from 'graphql';

/** An operation deeper or costlier than the gateway allows; the client sees BAD_USER_INPUT. */
export class QueryLimitError extends GraphQLError {
  constructor(
    message: string,
    readonly limit: 'depth' | 'cost',
  ) {
    super(message);
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
 * graphql-armor's depth and cost rules, made to report instead of throw: a throw from a
 * validation rule escapes graphql-js's validate() and Apollo answers 500. Armor's messages start
 * with "Syntax Error:", which this is not, so that prefix goes.
 */
export function queryLimitRules(limits: QueryLimits): ValidationRule[] {
  const report =
    (limit: QueryLimitError['limit']) => (context: ValidationContext | null, error: GraphQLError) =>
      context?.reportError(
        new QueryLimitError(error.message.replace(/^Syntax Error: /, ''), limit),
      );
  return [
    maxDepthRule({
      n: limits.maxDepth,
      propagateOnRejection: false,
      onReject: [report('depth')],
    }) as ValidationRule,
    costLimitRule({
      maxCost: limits.maxCost,
      propagateOnRejection: false,
      onReject: [report('cost')],
    }) as ValidationRule,
  ];
}
