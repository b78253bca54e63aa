import {
  ReferenceKind,
  type Dictionary,
  type EntityClass,
  type EntityMetadata,
  type EntityProperty,
} from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/knex';
import type { EntityManager } from '@mikro-orm/core';

/** An entity's columns as `insertRows` writes them, built once per entity. */
interface InsertShape {
  props: EntityProperty[];
  prefix: string;
  row: string;
}

const shapes = new WeakMap<EntityMetadata, InsertShape>();

function insertShape(em: SqlEntityManager, meta: EntityMetadata): InsertShape {
  let shape = shapes.get(meta);
  if (!shape) {
    const platform = em.getPlatform();
    // An autoincrement key is the database's to number.
    const props = meta.props.filter(
      (prop) =>
        prop.persist !== false &&
        !prop.formula &&
        !prop.autoincrement &&
        prop.kind === ReferenceKind.SCALAR,
    );
    const unsupported = props.find((prop) => prop.fieldNames.length !== 1);
    if (unsupported) {
      throw new Error(`insertRows: ${meta.className}.${unsupported.name} has no single column`);
    }
    const columns = props.map((prop) => platform.quoteIdentifier(prop.fieldNames[0]!));
    shape = {
      props,
      prefix: `insert into ${platform.quoteIdentifier(meta.tableName)} (${columns.join(', ')}) values `,
      row: `(${props.map(() => '?').join(', ')})`,
    };
    shapes.set(meta, shape);
  }
  return shape;
}

/**
 * Writes `rows` of `entity` at once, in one multi-row insert on `em`'s connection (in its
 * transaction if it is in one), logged and counted as the ORM's statements are: what
 * `em.insertMany` writes, without building an entity, a change set or a query for each row.
 * For append-only rows that the caller never reads back as entities (ledger entries, markers,
 * identifiers). Every column is given: a property left undefined is null if nullable, and an
 * error otherwise (field initialisers such as `id = randomUUID()` do not run). Values pass
 * through the property's type as the ORM's own insert passes them (a UUID, a Date).
 */
export async function insertRows<T extends object>(
  em: EntityManager,
  entity: EntityClass<T>,
  rows: readonly Partial<T>[],
): Promise<void> {
  if (rows.length === 0) return;
  const context = em.getContext() as SqlEntityManager;
  const meta = context.getMetadata().get<T>(entity.name) as EntityMetadata;
  const { props, prefix, row } = insertShape(context, meta);
  const platform = context.getPlatform();
  const params: unknown[] = [];
  for (const data of rows) {
    for (const prop of props) {
      let value = (data as Dictionary)[prop.name];
      if (value === undefined || value === null) {
        if (!prop.nullable) {
          throw new Error(`insertRows: ${meta.className}.${prop.name} is required`);
        }
        value = null;
      } else if (prop.customType) {
        value = prop.customType.convertToDatabaseValue(value, platform, { mode: 'query-data' });
      }
      params.push(value);
    }
  }
  await context.execute(
    prefix + Array(rows.length).fill(row).join(', '),
    params,
    'run',
    context.getLoggerContext({ disableContextResolution: true }),
  );
}
