import {
  astFromValue,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isIntrospectionType,
  isObjectType,
  isRequiredArgument,
  isRequiredInputField,
  isSpecifiedScalarType,
  isUnionType,
  print,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputField,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';

/** What the API schema lacks or gets wrong compared with the contract. */
export interface ContractResult {
  /** Coordinates (`Type`, `Type.field`, `Type.field(arg:)`, `Enum.VALUE`) absent from the API. */
  missing: string[];
  /** `coordinate: what differs`, for items that exist in the API but not as the contract says. */
  mismatched: string[];
}

type Kind = 'object' | 'interface' | 'union' | 'enum' | 'input' | 'scalar';

/** An argument or an input field: both have a type and an optional default. */
type InputValue = GraphQLArgument | GraphQLInputField;

function kindOf(type: GraphQLNamedType): Kind {
  if (isObjectType(type)) return 'object';
  if (isInterfaceType(type)) return 'interface';
  if (isUnionType(type)) return 'union';
  if (isEnumType(type)) return 'enum';
  if (isInputObjectType(type)) return 'input';
  return 'scalar';
}

function printDefault(value: InputValue): string {
  const ast = astFromValue(value.defaultValue, value.type);
  return ast ? print(ast) : String(value.defaultValue);
}

/** The contract's own named types: built-in scalars and introspection types are graphql-js's. */
function contractTypes(contract: GraphQLSchema): GraphQLNamedType[] {
  return Object.values(contract.getTypeMap()).filter(
    (type) => !isIntrospectionType(type) && !isSpecifiedScalarType(type),
  );
}

/**
 * Checks that every type, field, argument, input field and enum value of `contract` exists in
 * `apiSchema` with the same type. The API may add anything that a contract client cannot trip
 * over; an added *required* argument or input field would break such clients, so it counts as a
 * mismatch.
 */
export function checkContract(apiSchema: GraphQLSchema, contract: GraphQLSchema): ContractResult {
  const absent: string[] = [];
  const mismatched: string[] = [];

  const compareInputValue = (
    coordinate: string,
    want: InputValue,
    have: InputValue | undefined,
  ) => {
    if (!have) {
      absent.push(coordinate);
      return;
    }
    if (String(want.type) !== String(have.type)) {
      mismatched.push(`${coordinate}: contract ${String(want.type)}, API ${String(have.type)}`);
    }
    // Defaults may be written differently, but a client that relies on one must still get one.
    if (want.defaultValue !== undefined && have.defaultValue === undefined) {
      mismatched.push(`${coordinate}: contract default ${printDefault(want)}, API has no default`);
    }
  };

  const compareField = (
    typeName: string,
    want: GraphQLField<unknown, unknown>,
    have: GraphQLField<unknown, unknown> | undefined,
  ) => {
    const coordinate = `${typeName}.${want.name}`;
    if (!have) {
      absent.push(coordinate);
      return;
    }
    if (String(want.type) !== String(have.type)) {
      mismatched.push(`${coordinate}: contract ${String(want.type)}, API ${String(have.type)}`);
    }
    for (const arg of want.args) {
      compareInputValue(
        `${coordinate}(${arg.name}:)`,
        arg,
        have.args.find((a) => a.name === arg.name),
      );
    }
    for (const arg of have.args) {
      if (isRequiredArgument(arg) && !want.args.some((a) => a.name === arg.name)) {
        mismatched.push(`${coordinate}(${arg.name}:): required by the API, not in the contract`);
      }
    }
  };

  for (const want of contractTypes(contract)) {
    const name = want.name;
    const have = apiSchema.getType(name);
    if (!have) {
      absent.push(name);
      continue;
    }
    if (kindOf(want) !== kindOf(have)) {
      mismatched.push(`${name}: contract ${kindOf(want)}, API ${kindOf(have)}`);
      continue;
    }
    if (
      (isObjectType(want) && isObjectType(have)) ||
      (isInterfaceType(want) && isInterfaceType(have))
    ) {
      const haveFields = have.getFields();
      for (const field of Object.values(want.getFields())) {
        compareField(name, field, haveFields[field.name]);
      }
      const haveInterfaces = new Set(have.getInterfaces().map((i) => i.name));
      for (const iface of want.getInterfaces()) {
        if (!haveInterfaces.has(iface.name)) {
          mismatched.push(`${name}: contract implements ${iface.name}, API does not`);
        }
      }
    } else if (isInputObjectType(want) && isInputObjectType(have)) {
      const haveFields = have.getFields();
      for (const field of Object.values(want.getFields())) {
        compareInputValue(`${name}.${field.name}`, field, haveFields[field.name]);
      }
      for (const field of Object.values(haveFields)) {
        if (isRequiredInputField(field) && !(field.name in want.getFields())) {
          mismatched.push(`${name}.${field.name}: required by the API, not in the contract`);
        }
      }
    } else if (isEnumType(want) && isEnumType(have)) {
      for (const value of want.getValues()) {
        const coordinate = `${name}.${value.name}`;
        if (!have.getValue(value.name)) absent.push(coordinate);
      }
    } else if (isUnionType(want) && isUnionType(have)) {
      const haveMembers = new Set(have.getTypes().map((t) => t.name));
      for (const member of want.getTypes()) {
        if (!haveMembers.has(member.name)) {
          mismatched.push(`${name}: contract includes ${member.name}, API does not`);
        }
      }
    }
    // A custom scalar has nothing below its name to compare.
  }

  return {
    missing: absent.sort(),
    mismatched: mismatched.sort(),
  };
}

/** True when the API satisfies the contract. */
export function contractOk(result: ContractResult): boolean {
  return result.missing.length === 0 && result.mismatched.length === 0;
}

/** A multi-line report for the terminal: one section per kind of problem, one item per line. */
export function formatContractReport(result: ContractResult): string {
  if (contractOk(result)) {
    return 'Contract check passed: the API schema provides everything the contract lists.';
  }
  const lines = ['Contract check FAILED.'];
  const section = (title: string, items: string[]) => {
    if (items.length === 0) return;
    lines.push('', `${title} (${items.length}):`, ...items.map((item) => `  ${item}`));
  };
  section('Missing from the API schema', result.missing);
  section('Different from the contract', result.mismatched);
  return lines.join('\n');
}
