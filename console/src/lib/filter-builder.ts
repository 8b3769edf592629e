/**
 * The table page's filter builder: rows of (field, operator, text typed by the user) become
 * the `where` JSON the records API accepts (docs/tables.md, "the where wire format").
 * Pure: no DOM, so the unit tests run it under Node.
 */
export type FieldType = 'string' | 'integer' | 'number' | 'boolean' | 'date' | 'array' | 'object';

/** Comparisons: every ordered type has all six. */
const COMPARISONS = ['eq', 'ne', 'lt', 'lte', 'gt', 'gte'] as const;
/** Null / presence tests: every type has them, and they take no value. */
const PRESENCE = ['isnull', 'notnull', 'exists', 'notexists'] as const;

export const FILTER_OPS = [
  ...COMPARISONS,
  'contains',
  'regex',
  'in',
  'nin',
  'all',
  ...PRESENCE,
  'has_key',
] as const;
export type FilterOp = (typeof FILTER_OPS)[number];

export interface FilterRow {
  field: string;
  op: FilterOp;
  /** What the user typed; lists are comma-separated or a JSON array. */
  value: string;
}

export type Where = Record<string, unknown>;

/** Operators that take no value. */
export const NO_VALUE_OPS: ReadonlySet<FilterOp> = new Set(PRESENCE);

/** Which operators make sense for a field type (a dotted path inside an object is free). */
export function opsFor(type: FieldType | undefined): FilterOp[] {
  switch (type) {
    case 'integer':
    case 'number':
    case 'date':
      return [...COMPARISONS, 'in', 'nin', ...PRESENCE];
    case 'boolean':
      return ['eq', 'ne', ...PRESENCE];
    case 'array':
      return ['eq', 'in', 'nin', 'all', ...PRESENCE];
    case 'object':
      return ['has_key', ...PRESENCE];
    case 'string':
      return [...COMPARISONS, 'contains', 'regex', 'in', 'nin', ...PRESENCE];
    default:
      return [...FILTER_OPS];
  }
}

/** A row that cannot become a condition; `index` says which row, `reason` is an i18n key. */
export class FilterInputError extends Error {
  readonly index: number;
  readonly reason: string;
  constructor(index: number, reason: string, message: string) {
    super(message);
    this.name = 'FilterInputError';
    this.index = index;
    this.reason = reason;
  }
}

/** One typed value for a field of `type`; JSON-looking text is parsed as JSON for free paths. */
function scalar(text: string, type: FieldType | undefined, index: number): unknown {
  const t = text.trim();
  switch (type) {
    case 'integer': {
      if (!/^-?\d+$/.test(t) || !Number.isSafeInteger(Number(t)))
        throw new FilterInputError(index, 'filter.notInteger', `"${text}" is not an integer`);
      return Number(t);
    }
    case 'number': {
      const n = Number(t);
      if (t === '' || !Number.isFinite(n))
        throw new FilterInputError(index, 'filter.notNumber', `"${text}" is not a number`);
      return n;
    }
    case 'boolean':
      if (t !== 'true' && t !== 'false')
        throw new FilterInputError(index, 'filter.notBoolean', `"${text}" is not true or false`);
      return t === 'true';
    case 'string':
    case 'date':
      return text;
    default:
      // Array elements and dotted paths: JSON when it parses (42, true, "x"), else the text.
      try {
        return JSON.parse(t) as unknown;
      } catch {
        return text;
      }
  }
}

function list(text: string, type: FieldType | undefined, index: number): unknown[] {
  const t = text.trim();
  if (t.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(t);
    } catch {
      throw new FilterInputError(index, 'filter.badList', `"${text}" is not a JSON array`);
    }
    if (!Array.isArray(parsed))
      throw new FilterInputError(index, 'filter.badList', `"${text}" is not a JSON array`);
    return parsed;
  }
  if (t === '') throw new FilterInputError(index, 'filter.emptyList', 'the list is empty');
  return t.split(',').map((part) => scalar(part.trim(), type, index));
}

const COMPARE: Partial<Record<FilterOp, string>> = {
  eq: '$eq',
  ne: '$ne',
  lt: '$lt',
  lte: '$lte',
  gt: '$gt',
  gte: '$gte',
};

/** One row → one condition `{field: {$op: value}}`. */
export function condition(row: FilterRow, type: FieldType | undefined, index = 0): Where {
  const field = row.field.trim();
  if (field === '') throw new FilterInputError(index, 'filter.noField', 'choose a field');
  // Elements of an array field are typed by `items`, unknown here: parse them as JSON.
  const elementType = type === 'array' ? undefined : type;
  const compare = COMPARE[row.op];
  if (compare) return { [field]: { [compare]: scalar(row.value, elementType, index) } };
  switch (row.op) {
    case 'contains':
      return { [field]: { $contains: row.value } };
    case 'regex': {
      const m = /^\/(.*)\/([a-z]*)$/s.exec(row.value);
      const pattern = m ? m[1]! : row.value;
      const flags = m ? m[2]! : '';
      try {
        new RegExp(pattern, flags);
      } catch {
        throw new FilterInputError(index, 'filter.badRegex', `"${row.value}" is not a valid regex`);
      }
      return { [field]: flags ? { $regex: pattern, $options: flags } : { $regex: pattern } };
    }
    case 'in':
      return { [field]: { $in: list(row.value, elementType, index) } };
    case 'nin':
      return { [field]: { $nin: list(row.value, elementType, index) } };
    case 'all':
      return { [field]: { $all: list(row.value, elementType, index) } };
    case 'isnull':
      return { [field]: { $isnull: true } };
    case 'notnull':
      return { [field]: { $isnull: false } };
    case 'exists':
      return { [field]: { $exists: true } };
    case 'notexists':
      return { [field]: { $exists: false } };
    case 'has_key':
      if (row.value.trim() === '')
        throw new FilterInputError(index, 'filter.noKey', 'give the key to look for');
      return { [field]: { $has_key: row.value.trim() } };
    default:
      throw new FilterInputError(index, 'filter.badOp', `unknown operator "${row.op}"`);
  }
}

/**
 * All rows → the `where`: nothing for no rows, the one condition for one row, else `$and`
 * (match "all", 所有) or `$or` (match "any", 任一).
 */
export function buildWhere(
  rows: FilterRow[],
  match: 'all' | 'any',
  types: Record<string, FieldType>,
): Where | undefined {
  const conditions = rows.map((row, i) => {
    const top = row.field.split('.')[0]!;
    // A dotted path inside an object field has no declared type.
    const type = row.field.includes('.') ? undefined : types[top];
    return condition(row, type, i);
  });
  if (conditions.length === 0) return undefined;
  if (conditions.length === 1) return conditions[0];
  return match === 'all' ? { $and: conditions } : { $or: conditions };
}
