/**
 * Checking table definitions (pure): names, field types, defaults. Definitions are strict:
 * an unknown key in a field definition (a typo such as `requried`) is refused, not ignored.
 */
import { TableError } from './errors.ts';
import { USER_TABLE, isReservedFieldName, isValidFieldName, isValidTableName } from './names.ts';
import type { FieldDef, FieldType } from './table-store.ts';
import { checkValue, isPlainObject } from './values.ts';
import { FIELD_TYPES } from './field-types.ts';

export { FIELD_TYPES } from './field-types.ts';
export const MAX_FIELDS = 256;
const FIELD_KEYS = new Set([
  'name',
  'type',
  'required',
  'default',
  'items',
  'maxLength',
  'index',
  'to',
]);

function schemaError(message: string, field?: string): TableError {
  return new TableError('E_TABLE_BAD_SCHEMA', message, field === undefined ? undefined : { field });
}

export function checkTableName(name: unknown): string {
  if (!isValidTableName(name)) {
    throw new TableError(
      'E_TABLE_BAD_NAME',
      `Invalid table name ${JSON.stringify(name)}: use a letter, then letters, digits or _ (at most 64 characters).`,
    );
  }
  return name;
}

/** Checks one field definition and returns it normalised (default converted like a value). */
export function checkFieldDef(input: unknown): FieldDef {
  if (!isPlainObject(input))
    throw schemaError(
      'Each field must be an object {name, type, required?, default?, items?, maxLength?, index?}.',
    );
  const name = input.name;
  if (!isValidFieldName(name)) {
    throw schemaError(
      `Invalid field name ${JSON.stringify(name)}: use a letter or _, then letters, digits or _ (at most 32 characters).`,
      typeof name === 'string' ? name : undefined,
    );
  }
  if (isReservedFieldName(name))
    throw schemaError(
      `Field name '${name}' is reserved (system fields: id, created_at, updated_at, created_by).`,
      name,
    );
  for (const key of Object.keys(input)) {
    if (!FIELD_KEYS.has(key))
      throw schemaError(`Field '${name}': unknown property '${key}'.`, name);
  }
  const type = input.type;
  if (typeof type !== 'string' || !FIELD_TYPES.includes(type as FieldType)) {
    throw schemaError(`Field '${name}': type must be one of ${FIELD_TYPES.join(', ')}.`, name);
  }
  const def: FieldDef = { name, type: type as FieldType };
  if (input.required !== undefined) {
    if (typeof input.required !== 'boolean')
      throw schemaError(`Field '${name}': required must be a boolean.`, name);
    if (input.required) def.required = true;
  }
  if (input.items !== undefined) {
    if (type !== 'array')
      throw schemaError(`Field '${name}': items is only for array fields.`, name);
    if (
      typeof input.items !== 'string' ||
      !FIELD_TYPES.includes(input.items as FieldType) ||
      input.items === 'array' ||
      input.items === 'pointer' ||
      input.items === 'geojson'
    ) {
      throw schemaError(
        `Field '${name}': items must be one of string, integer, number, boolean, date, object.`,
        name,
      );
    }
    def.items = input.items as FieldType;
  }
  if (input.maxLength !== undefined) {
    if (type !== 'string')
      throw schemaError(`Field '${name}': maxLength is only for string fields.`, name);
    if (
      !Number.isSafeInteger(input.maxLength) ||
      (input.maxLength as number) < 1 ||
      (input.maxLength as number) > 10_000_000
    ) {
      throw schemaError(`Field '${name}': maxLength must be an integer from 1 to 10000000.`, name);
    }
    def.maxLength = input.maxLength as number;
  }
  // MinCloud's pointer: a reference to a record of another table (or to a user).
  if (type === 'pointer') {
    if (input.to !== USER_TABLE && !isValidTableName(input.to))
      throw schemaError(
        `Field '${name}': a pointer needs "to", the name of the table it points at (or _userprofile).`,
        name,
      );
    def.to = input.to as string;
  } else if (input.to !== undefined) {
    throw schemaError(`Field '${name}': to is only for pointer fields.`, name);
  }
  if (input.index !== undefined) {
    if (typeof input.index !== 'boolean')
      throw schemaError(`Field '${name}': index must be a boolean.`, name);
    if (input.index) def.index = true;
  }
  if (input.default !== undefined && input.default !== null) {
    const checked = checkValue(def, input.default);
    if (!checked.ok)
      throw schemaError(
        `Field '${name}': default does not fit the field: ${checked.message}.`,
        name,
      );
    def.default = checked.value;
  }
  return def;
}

/** Checks a list of new fields against each other and against the fields a table already has. */
export function checkFieldDefs(input: unknown, existing: readonly FieldDef[] = []): FieldDef[] {
  if (!Array.isArray(input)) throw schemaError('fields must be an array of field definitions.');
  if (existing.length + input.length > MAX_FIELDS)
    throw schemaError(`A table has at most ${MAX_FIELDS} fields.`);
  const seen = new Set(existing.map((f) => f.name.toLowerCase()));
  const out: FieldDef[] = [];
  for (const raw of input) {
    const def = checkFieldDef(raw);
    // Case-insensitive: SQLite column names are, so `Name` and `name` cannot both exist.
    if (seen.has(def.name.toLowerCase())) {
      throw new TableError(
        'E_TABLE_FIELD_EXISTS',
        `Field '${def.name}' already exists (names are unique regardless of case).`,
        {
          field: def.name,
        },
      );
    }
    seen.add(def.name.toLowerCase());
    out.push(def);
  }
  return out;
}
