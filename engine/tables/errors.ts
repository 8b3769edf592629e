import { EngineError } from '../errors.ts';

/**
 * Every refusal of the table layer (docs/errors.md, "Data tables"). The class carries the
 * HTTP status; the guest SDK sees the same `code`, `status` and `message`.
 */
export class TableError extends EngineError {
  constructor(
    code: TableErrorCode,
    message: string,
    status = 400,
    details?: Record<string, unknown>,
  ) {
    super(code, message, { status, details });
    this.name = 'TableError';
  }
}

export type TableErrorCode =
  | 'E_TABLE_NOT_FOUND'
  | 'E_TABLE_EXISTS'
  | 'E_TABLE_BAD_NAME'
  | 'E_TABLE_BAD_SCHEMA'
  | 'E_TABLE_FIELD_EXISTS'
  | 'E_TABLE_RECORD_NOT_FOUND'
  | 'E_TABLE_UNKNOWN_FIELD'
  | 'E_TABLE_SYSTEM_FIELD'
  | 'E_TABLE_FIELD_TYPE'
  | 'E_TABLE_REQUIRED_FIELD'
  | 'E_TABLE_VALUE_TOO_LONG'
  | 'E_TABLE_VALUE_TOO_DEEP'
  | 'E_TABLE_INVALID_RECORD'
  | 'E_TABLE_BAD_UPDATE'
  | 'E_TABLE_BAD_WHERE'
  | 'E_TABLE_BAD_REGEX'
  | 'E_TABLE_QUERY_TOO_COMPLEX'
  | 'E_TABLE_BAD_OPTIONS'
  | 'E_TABLE_TOO_MANY_RECORDS'
  | 'E_TABLE_BAD_ARGS'
  | 'E_TABLE_UNKNOWN_OP'
  | 'E_TABLE_BUILTIN'
  | 'E_TABLE_UNIQUE'
  | 'E_TABLE_ACL_DENIED';

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
  return new TableError(code, message, 400, details);
}

export function tableNotFound(ref: string | number): TableError {
  return new TableError('E_TABLE_NOT_FOUND', `Table '${String(ref)}' does not exist.`, 404, {
    table: String(ref),
  });
}

export function recordNotFound(table: string, id: string): TableError {
  return new TableError(
    'E_TABLE_RECORD_NOT_FOUND',
    `Record '${id}' not found in table '${table}'.`,
    404,
    { table, id },
  );
}

export function badWhere(message: string, path?: string): TableError {
  return new TableError(
    'E_TABLE_BAD_WHERE',
    `Invalid where: ${message}`,
    400,
    path === undefined ? undefined : { path },
  );
}

export function badOptions(message: string): TableError {
  return new TableError('E_TABLE_BAD_OPTIONS', message, 400);
}
