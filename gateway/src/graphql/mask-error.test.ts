import { createLogger } from '@hub/kit';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { runInRequestScope } from '../context.js';
import { createErrorFormatter, maskError } from './mask-error.js';
import { QueryLimitError } from './query-limits.js';

describe('maskError', () => {
  it('masks an error with an unknown code, naming the correlation id', () => {
    const formatted: GraphQLFormattedError = {
      message: 'connect ECONNREFUSED 10.0.0.5:5432',
      path: ['case', 'child'],
      extensions: { code: 'DOWNSTREAM_SERVICE_ERROR', serviceName: 'cases', stacktrace: ['at x'] },
    };
    expect(maskError(formatted, 'cid-1')).toEqual({
      message: 'Internal error (correlation id cid-1)',
      path: ['case', 'child'],
      extensions: { code: 'INTERNAL_SERVER_ERROR', correlationId: 'cid-1' },
    });
  });

  it('masks an error with no code at all', () => {
    expect(maskError({ message: 'secret detail' }, 'cid-2')).toEqual({
      message: 'Internal error (correlation id cid-2)',
      extensions: { code: 'INTERNAL_SERVER_ERROR', correlationId: 'cid-2' },
    });
  });

  it('passes a FORBIDDEN error through, without the hub-internal extensions', () => {
    const formatted: GraphQLFormattedError = {
      message: 'Your agency is not involved in this case.',
      path: ['case'],
      locations: [{ line: 1, column: 3 }],
      extensions: {
        code: 'FORBIDDEN',
        serviceName: 'cases',
        exception: { stacktrace: ['Error: at resolver'] },
        stacktrace: ['Error: at resolver'],
      },
    };
    expect(maskError(formatted, 'cid-3')).toEqual({
      message: 'Your agency is not involved in this case.',
      path: ['case'],
      locations: [{ line: 1, column: 3 }],
      extensions: { code: 'FORBIDDEN' },
    });
  });

  it("keeps a BAD_USER_INPUT error's field, and Apollo's request errors", () => {
    const badInput = maskError(
      {
        message: 'input.reason: must not be blank',
        extensions: { code: 'BAD_USER_INPUT', field: 'input.reason' },
      },
      'cid-4',
    );
    expect(badInput.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.reason' });
    const invalid = maskError(
      {
        message: 'Cannot query field "x" on type "Query".',
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
      },
      'cid-4',
    );
    expect(invalid.message).toBe('Cannot query field "x" on type "Query".');
  });
});

describe('createErrorFormatter', () => {
  const format = createErrorFormatter(createLogger('test', 'silent'));

  it("uses the request scope's correlation id", () => {
    const log = createLogger('test', 'silent');
    const masked = runInRequestScope({ correlationId: 'scoped-id', log }, () =>
      format({ message: 'boom', extensions: { code: 'INTERNAL_SERVER_ERROR' } }, new Error('boom')),
    );
    expect(masked.message).toBe('Internal error (correlation id scoped-id)');
  });

  it('turns a depth or cost limit into BAD_USER_INPUT', () => {
    const limit = new QueryLimitError('Query depth limit of 3 exceeded, found 5.', 'depth');
    const wrapped = new GraphQLError(limit.message, {
      originalError: limit,
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
    expect(
      format(
        { message: limit.message, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } },
        wrapped,
      ),
    ).toEqual({
      message: 'Query depth limit of 3 exceeded, found 5.',
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });
});
