import { validate, type ValidationError } from 'class-validator';
import { BadUserInputError } from './errors.js';

function firstProblem(
  errors: ValidationError[],
  path: string[],
): { field: string; message: string } | null {
  for (const error of errors) {
    const here = [...path, error.property];
    if (error.constraints) {
      const message = Object.values(error.constraints)[0] ?? 'is invalid';
      return { field: here.join('.'), message };
    }
    const nested = firstProblem(error.children ?? [], here);
    if (nested) return nested;
  }
  return null;
}

/**
 * type-graphql's validateFn: runs class-validator on input objects and reports the first problem
 * as BAD_USER_INPUT with `extensions.field` naming the input field, e.g. `input.child.name`.
 * type-graphql does not pass the argument's name; every operation of the hub has at most one
 * input-object argument, so it is the one whose value is an object.
 */
export async function validateInput(
  argValue: unknown,
  _argType: unknown,
  resolverData?: { args?: Record<string, unknown> },
): Promise<void> {
  const values = Array.isArray(argValue) ? argValue : [argValue];
  const argName =
    Object.entries(resolverData?.args ?? {}).find(
      ([, value]) => value !== null && typeof value === 'object' && !Array.isArray(value),
    )?.[0] ?? 'input';
  for (const value of values) {
    // Only instances of @InputType classes carry class-validator metadata.
    if (value === null || typeof value !== 'object' || value.constructor === Object) continue;
    const errors = await validate(value as object, { forbidUnknownValues: false });
    const problem = firstProblem(errors, [argName]);
    if (problem) throw new BadUserInputError(problem.field, problem.message);
  }
}
