import {
  getNamedType,
  getNullableType,
  isCompositeType,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  typeFromAST,
  valueFromAST,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/**
 * Items a list without `first:` is taken to hold when it is short by nature: a case's agencies
 * and escalations, an escalation's stages and records. An estimate of what such lists usually
 * hold, not a bound: the cost limit is there to refuse shapes that multiply, not long records.
 */
export const SHORT_LIST_SIZE = 5;

/** The lists that count as SHORT_LIST_SIZE items (schema coordinates, `Type.field`). */
export const SHORT_LISTS: ReadonlySet<string> = new Set([
  'AgreedOutcome.confirmations',
  'AgreedOutcome.outstandingIssues',
  'Case.escalations',
  'Case.involvedAgencies',
  'Case.sourceRecords',
  'ChildSubject.identifiers',
  'Escalation.records',
  'Escalation.stages',
  'EscalationPolicy.stages',
  'EscalationRecord.sharedWith',
]);

/**
 * Items any other list without `first:` is taken to hold (the directory's: boards, a board's
 * agencies, an agency's practitioners), as many as a default page. A list added to the schema
 * counts as long until it is named in SHORT_LISTS.
 */
export const LONG_LIST_SIZE = 20;

/** Costs beyond this are reported as this, so the number stays an exact integer. */
const COST_CEILING = Number.MAX_SAFE_INTEGER;

/**
 * The estimated cost of an operation: the number of objects it can make the hub resolve. Each
 * object a field returns counts 1 plus the cost of its selection; leaf fields (scalars, enums)
 * are columns of an object already counted and cost nothing. A list multiplies its items' cost
 * by its size: `first:` where the field takes it (for a connection, its `edges`), otherwise
 * SHORT_LIST_SIZE or LONG_LIST_SIZE. Introspection costs nothing: the gateway answers it alone.
 *
 * `variables` are the operation's coerced variable values, so `first: $n` counts as asked. The
 * document must have passed validation (no fragment cycles, known fields).
 */
export function operationCost(
  schema: GraphQLSchema,
  fragments: Readonly<Record<string, FragmentDefinitionNode>>,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>> = {},
): number {
  const root = schema.getRootType(operation.operation);
  if (!root) return 0;
  // A fragment's cost depends only on the page size it is spread under; memoising it keeps
  // fragments that spread others many times from costing exponential time to estimate.
  const fragmentCosts = new Map<string, number>();

  function selectionCost(
    selectionSet: SelectionSetNode,
    parent: GraphQLCompositeType,
    pageSize: number | null,
  ): number {
    let total = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        total += fieldCost(selection, parent, pageSize);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const on = selection.typeCondition ? typeFromAST(schema, selection.typeCondition) : parent;
        if (isCompositeType(on)) total += selectionCost(selection.selectionSet, on, pageSize);
      } else {
        total += fragmentCost(selection.name.value, pageSize);
      }
    }
    return Math.min(total, COST_CEILING);
  }

  function fragmentCost(name: string, pageSize: number | null): number {
    const key = `${name}/${pageSize ?? ''}`;
    const known = fragmentCosts.get(key);
    if (known !== undefined) return known;
    const fragment = fragments[name];
    const on = fragment && typeFromAST(schema, fragment.typeCondition);
    const cost =
      fragment && isCompositeType(on) ? selectionCost(fragment.selectionSet, on, pageSize) : 0;
    fragmentCosts.set(key, cost);
    return cost;
  }

  /** The field's `first:` as execution will see it: given, from a variable, or its default. */
  function pageSizeOf(field: GraphQLField<unknown, unknown>, node: FieldNode): number | null {
    const argument = field.args.find((arg) => arg.name === 'first');
    if (!argument) return null;
    const given = node.arguments?.find((arg) => arg.name.value === 'first');
    // An unset variable leaves the argument at its default, as in execution.
    const value =
      (given && valueFromAST(given.value, argument.type, variables)) ?? argument.defaultValue;
    return typeof value === 'number' ? Math.max(0, value) : null;
  }

  function fieldCost(node: FieldNode, parent: GraphQLCompositeType, pageSize: number | null) {
    if (!node.selectionSet || node.name.value.startsWith('__')) return 0;
    const field =
      isObjectType(parent) || isInterfaceType(parent)
        ? parent.getFields()[node.name.value]
        : undefined;
    const type = field && getNullableType(field.type);
    const named = type && getNamedType(type);
    if (!field || !isCompositeType(named)) return 0;
    const asked = pageSizeOf(field, node);
    if (!isListType(type)) {
      // A connection's `first:` sizes the list inside it (its edges), not the connection itself.
      return Math.min(1 + selectionCost(node.selectionSet, named, asked), COST_CEILING);
    }
    const size =
      asked ??
      pageSize ??
      (SHORT_LISTS.has(`${parent.name}.${field.name}`) ? SHORT_LIST_SIZE : LONG_LIST_SIZE);
    return Math.min(size * (1 + selectionCost(node.selectionSet, named, null)), COST_CEILING);
  }

  return selectionCost(operation.selectionSet, root, null);
}
