import { EngineError } from '../errors.ts';
import type { TABLE_ERRORS } from './error-codes.ts';

/**
 * Every refusal of the table layer (docs/errors.md, "Data tables"); its status comes from
 * ./error-codes.ts. The guest SDK sees the same `code`, `status` and `message`.
 */
export class TableError extends EngineError {
  constructor(code: TableErrorCode, message: string, details?: Record<string, unknown>) {
    super(code, message, { details });
    this.name = 'TableError';
  }
}

export type TableErrorCode = keyof typeof TABLE_ERRORS;

/** One problem with one field of a write; a refused write lists all of them. */
export interface FieldIssue {
  field: string;
  kind: 'unknown' | 'system' | 'type' | 'required' | 'too_long' | 'too_deep' | 'bad_update';
  message: string;
}

const CODE_OF_KIND: Record<FieldIssue['kind'], TableErrorCode> = {
  unknown: 'E_TABLE_UNKNOWN_FIELD',
  system: 'E_TABLE_SYSTEM_FIELD',
  type: 'E_TABLE_FIELD_TYPE',
  required: 'E_TABLE_REQUIRED_FIELD',
  too_long: 'E_TABLE_VALUE_TOO_LONG',
  too_deep: 'E_TABLE_VALUE_TOO_DEEP',
  bad_update: 'E_TABLE_BAD_UPDATE',
};

/**
 * The error for a refused write: the specific code when every issue is of one kind,
 * E_TABLE_INVALID_RECORD when they are mixed; `details.fields` names each bad field and
 * `details.errors` says what is wrong with each.
 */
export function invalidRecordError(
  table: string,
  issues: FieldIssue[],
  index?: number,
): TableError {
  const kinds = new Set(issues.map((i) => i.kind));
  const code = kinds.size === 1 ? CODE_OF_KIND[issues[0]!.kind] : 'E_TABLE_INVALID_RECORD';
  const where = index === undefined ? '' : ` (item ${index})`;
  const message = `Record refused for table '${table}'${where}: ${issues.map((i) => i.message).join('; ')}.`;
  const details: Record<string, unknown> = {
    fields: [...new Set(issues.map((i) => i.field))],
    errors: issues.map((i) => ({ field: i.field, code: CODE_OF_KIND[i.kind], message: i.message })),
  };
  if (index !== undefined) details.index = index;
  return new TableError(code, message, details);
}

export function tableNotFound(ref: string | number): TableError {
  return new TableError('E_TABLE_NOT_FOUND', `Table '${String(ref)}' does not exist.`, {
    table: String(ref),
  });
}

export function recordNotFound(table: string, id: string): TableError {
  return new TableError(
    'E_TABLE_RECORD_NOT_FOUND',
    `Record '${id}' not found in table '${table}'.`,
    { table, id },
  );
}

export function badWhere(message: string, path?: string): TableError {
  return new TableError(
    'E_TABLE_BAD_WHERE',
    `Invalid where: ${message}`,
    path === undefined ? undefined : { path },
  );
}

export function badOptions(message: string): TableError {
  return new TableError('E_TABLE_BAD_OPTIONS', message);
}
