/**
 * MinCloud's `where` wire format → a checked, typed condition tree (pure, backend-neutral).
 *
 *   {"price": {"$gt": 10}, "$or": [{"tags": {"$all": ["a"]}}, {"meta.color": {"$eq": "red"}}]}
 *
 * Field names are looked up in the table's schema; every operand is checked against the
 * field's type and converted as stored, so a wrong-type query is a 400 and not a silent
 * empty result, whichever database answers it. Limits (depth, conditions, list length) stop
 * hostile input. The SQL dialects (sqlite/where-sql.ts, postgres/where-sql.ts) turn the tree
 * into parameterised SQL; nothing here knows SQL.
 */
import { TableError, badWhere } from './errors.ts';
import { type GeoPolygon, latitudeBand, longitudeBand, parseGeo } from './geo.ts';
import { isUsablePathSegment } from './names.ts';
import { checkRegex } from './regex.ts';
import type { FieldType } from './table-store.ts';
import { isPlainObject, normaliseDate } from './values.ts';

export const QUERY_LIMITS = { maxDepth: 32, maxConditions: 1000, maxListLength: 1000 } as const;

/** What the compiler needs to know of a field: its type and its (already quoted) column. */
export interface QueryField {
  type: FieldType;
  items?: FieldType;
  column: string;
}

/** A checked operand, converted as the field stores it (booleans stay booleans here). */
export type Scalar = string | number | boolean;

/** The thing a condition tests: a typed column, or a path inside an object column. */
export interface Target {
  label: string;
  column: string;
  /** 'json' for a path inside an object field: the value there can be anything. */
  type: FieldType | 'json';
  items?: FieldType;
  /** The keys of a dotted path (`meta.size.w` → ['size', 'w']); absent for a whole column. */
  path?: string[];
}

export type CompareOp = '<' | '<=' | '>' | '>=';
/** Where a circle's points can be: the latitude band (indexed) and, away from poles, the longitude band. */
export interface GeoBox {
  lat: [number, number];
  lng?: [number, number];
}

export type Condition =
  | { kind: 'const'; value: boolean }
  /** Always emitted in parentheses, even with one item (the SQL stays as it always was). */
  | { kind: 'and' | 'or'; items: Condition[] }
  | { kind: 'isNull'; target: Target; isNull: boolean }
  /** A path inside an object is present (a JSON null counts as present). */
  | { kind: 'exists'; target: Target; exists: boolean }
  /** `=` / null-inclusive `!=` on a scalar. */
  | { kind: 'eq'; target: Target; value: Scalar; negate: boolean }
  /** A whole array compared as its stored JSON text (same elements, same order). */
  | { kind: 'eqJson'; target: Target; json: string; negate: boolean }
  /** A scalar against an array field tests membership (MinCloud's behaviour). */
  | { kind: 'member'; target: Target; value: Scalar; negate: boolean }
  | { kind: 'compare'; target: Target; op: CompareOp; value: Scalar }
  /** Case-sensitive substring. */
  | { kind: 'contains'; target: Target; text: string }
  /** Checked by checkRegex; run by the linear-time matcher on every backend. */
  | { kind: 'regex'; target: Target; pattern: string; flags: string }
  /** A scalar column's value in the list (`$nin`: null or not in it). */
  | { kind: 'in'; target: Target; values: Scalar[]; negate: boolean }
  /** Any element of a stored array (or the scalar at a path) in the list. */
  | { kind: 'anyIn'; target: Target; values: Scalar[]; negate: boolean }
  /** Every distinct value of the list among the array's elements (`distinct` > 0). */
  | { kind: 'all'; target: Target; values: Scalar[]; distinct: number }
  | { kind: 'hasKey'; target: Target; key: string }
  /** include: a stored Polygon contains the point, or a stored Point is it. */
  | { kind: 'geoIncludes'; target: Target; point: [number, number] }
  /** within: a stored Point lies in the polygon (whose latitude band is given). */
  | { kind: 'geoWithin'; target: Target; polygon: GeoPolygon; lat: [number, number] }
  /** withinCircle: a stored Point within `meters` of the centre. */
  | { kind: 'geoCircle'; target: Target; center: [number, number]; meters: number; box: GeoBox }
  /** withinRegion: a stored Point between `min` and `max` metres (max optional). */
  | {
      kind: 'geoNear';
      target: Target;
      center: [number, number];
      min: number;
      max?: number;
      box?: GeoBox;
    };

/** A compiled where: the tree and, for withinRegion, the near-to-far sort it asks for. */
export interface ParsedWhere {
  condition: Condition;
  nearest?: { target: Target; center: [number, number] };
}

const COMPARE: Record<string, CompareOp> = { $lt: '<', $lte: '<=', $gt: '>', $gte: '>=' };
// MinCloud's geo operators: include, within, withinCircle, withinRegion (schema/geo.md).
const GEO_OPS = ['$intersects', '$within', '$center', '$nearsphere'];
const FIELD_OPS = new Set([
  '$eq',
  '$ne',
  '$lt',
  '$lte',
  '$gt',
  '$gte',
  '$contains',
  '$regex',
  '$options',
  '$in',
  '$nin',
  '$all',
  '$isnull',
  '$exists',
  '$has_key',
  ...GEO_OPS,
]);

const TRUE: Condition = { kind: 'const', value: true };

function tooComplex(message: string, path: string): TableError {
  return new TableError('E_TABLE_QUERY_TOO_COMPLEX', message, { path });
}

class Parser {
  nearest: ParsedWhere['nearest'];
  private conditions = 0;
  private readonly fields: ReadonlyMap<string, QueryField>;

  constructor(fields: ReadonlyMap<string, QueryField>) {
    this.fields = fields;
  }

  private count(path: string): void {
    if (++this.conditions > QUERY_LIMITS.maxConditions)
      throw tooComplex(`A where has at most ${QUERY_LIMITS.maxConditions} conditions.`, path);
  }

  node(doc: unknown, depth: number, path: string): Condition {
    if (!isPlainObject(doc)) throw badWhere('each query must be a JSON object', path);
    if (depth > QUERY_LIMITS.maxDepth)
      throw tooComplex(`A where nests $and/$or at most ${QUERY_LIMITS.maxDepth} deep.`, path);
    const parts: Condition[] = [];
    for (const [key, value] of Object.entries(doc)) {
      if (key === '$and' || key === '$or') {
        if (!Array.isArray(value)) throw badWhere(`${key} takes an array of queries`, path);
        if (value.length > QUERY_LIMITS.maxListLength)
          throw tooComplex(`${key} takes at most ${QUERY_LIMITS.maxListLength} queries.`, path);
        const subs = value.map((sub, i) => {
          this.count(path);
          return this.node(sub, depth + 1, `${path}.${key}[${i}]`);
        });
        if (subs.length === 0) parts.push({ kind: 'const', value: key === '$and' });
        else parts.push({ kind: key === '$and' ? 'and' : 'or', items: subs });
      } else if (key.startsWith('$')) {
        throw badWhere(
          `unknown operator ${JSON.stringify(key)} (use $and/$or at this level, field operators inside a field)`,
          path,
        );
      } else {
        parts.push(this.field(key, value, `${path}.${key}`));
      }
    }
    if (parts.length === 0) return TRUE;
    return parts.length === 1 ? parts[0]! : { kind: 'and', items: parts };
  }

  private target(key: string, path: string): Target {
    const [head, ...rest] = key.split('.') as [string, ...string[]];
    const field = this.fields.get(head);
    if (!field) {
      throw new TableError(
        'E_TABLE_UNKNOWN_FIELD',
        `Invalid where: field '${head.slice(0, 64)}' does not exist in the table.`,
        { field: head.slice(0, 64), path },
      );
    }
    if (rest.length === 0)
      return { label: key, column: field.column, type: field.type, items: field.items };
    if (field.type !== 'object')
      throw badWhere(
        `'${key}': a dotted path only reaches into object fields, '${head}' is ${field.type}`,
        path,
      );
    if (!rest.every(isUsablePathSegment)) throw badWhere(`'${key}' is not a usable path`, path);
    return { label: key, column: field.column, type: 'json', path: rest };
  }

  private field(key: string, value: unknown, path: string): Condition {
    const t = this.target(key, path);
    let ops: Record<string, unknown>;
    if (isPlainObject(value)) {
      const keys = Object.keys(value);
      if (keys.length === 0 || !keys.every((k) => k.startsWith('$')))
        throw badWhere(`'${key}' must map to operators like {"$eq": …}`, path);
      ops = value;
    } else {
      ops = { $eq: value }; // shorthand {"field": value}
    }
    const parts: Condition[] = [];
    for (const [op, arg] of Object.entries(ops)) {
      if (!FIELD_OPS.has(op))
        throw badWhere(`unknown operator ${JSON.stringify(op.slice(0, 32))} on '${key}'`, path);
      if (op === '$options') {
        if (!('$regex' in ops)) throw badWhere(`$options on '${key}' needs a $regex`, path);
        continue;
      }
      this.count(path);
      parts.push(this.operator(t, op, arg, ops.$options, path));
    }
    return parts.length === 1 ? parts[0]! : { kind: 'and', items: parts };
  }

  private operator(t: Target, op: string, arg: unknown, options: unknown, path: string): Condition {
    const isArray = t.type === 'array';
    const isObject = t.type === 'object';
    if (GEO_OPS.includes(op)) return this.geo(t, op, arg, path);
    if (t.type === 'geojson' && op !== '$isnull' && op !== '$exists')
      throw badWhere(
        `'${t.label}' is a geojson field: query it with include, within, withinCircle or withinRegion`,
        path,
      );
    if (isObject && !['$isnull', '$exists', '$has_key'].includes(op)) {
      throw badWhere(
        `'${t.label}' is an object field: test its keys with a dotted path ('${t.label}.key') or use $isnull/$exists/$has_key`,
        path,
      );
    }
    switch (op) {
      case '$eq':
      case '$ne': {
        const negate = op === '$ne';
        if (arg === null) return { kind: 'isNull', target: t, isNull: !negate };
        if (isArray && !Array.isArray(arg))
          return { kind: 'member', target: t, value: this.operand(t, arg, path, true), negate };
        if (isArray || Array.isArray(arg))
          return { kind: 'eqJson', target: t, json: this.jsonText(t, arg, path), negate };
        return { kind: 'eq', target: t, value: this.operand(t, arg, path), negate };
      }
      case '$lt':
      case '$lte':
      case '$gt':
      case '$gte':
        if (isArray) throw badWhere(`${op} does not apply to the array field '${t.label}'`, path);
        if (t.type === 'boolean')
          throw badWhere(`${op} does not apply to the boolean field '${t.label}'`, path);
        if (arg === null) throw badWhere(`${op} on '${t.label}' needs a value, not null`, path);
        return { kind: 'compare', target: t, op: COMPARE[op]!, value: this.operand(t, arg, path) };
      case '$contains':
        this.textOnly(t, op, path);
        if (typeof arg !== 'string')
          throw badWhere(`$contains on '${t.label}' takes a string`, path);
        return { kind: 'contains', target: t, text: arg };
      case '$regex': {
        this.textOnly(t, op, path);
        const { pattern, flags } = checkRegex(arg, options);
        return { kind: 'regex', target: t, pattern, flags };
      }
      case '$in':
      case '$nin':
      case '$all':
        return this.membership(t, op, arg, path);
      case '$isnull':
        if (typeof arg !== 'boolean')
          throw badWhere(`$isnull on '${t.label}' takes true or false`, path);
        return { kind: 'isNull', target: t, isNull: arg };
      case '$exists':
        if (typeof arg !== 'boolean')
          throw badWhere(`$exists on '${t.label}' takes true or false`, path);
        if (t.path !== undefined) return { kind: 'exists', target: t, exists: arg };
        return { kind: 'isNull', target: t, isNull: !arg };
      case '$has_key':
        if (!isObject && t.type !== 'json')
          throw badWhere(`$has_key applies to object fields, not '${t.label}'`, path);
        if (typeof arg !== 'string' || arg === '' || arg.length > 128)
          throw badWhere(`$has_key on '${t.label}' takes a key name`, path);
        return { kind: 'hasKey', target: t, key: arg };
      default:
        throw badWhere(`unknown operator ${op}`, path);
    }
  }

  private geo(t: Target, op: string, arg: unknown, path: string): Condition {
    if (t.type !== 'geojson')
      throw badWhere(`${op} applies to geojson fields, '${t.label}' is ${t.type}`, path);
    const point = (value: unknown, what: string): [number, number] => {
      const parsed = parseGeo(value);
      if (!parsed.ok || parsed.value.type !== 'Point')
        throw badWhere(`${op} on '${t.label}' needs ${what} as a GeoJSON Point`, path);
      return parsed.value.coordinates;
    };
    const meters = (value: unknown, name: string, optional: boolean): number | undefined => {
      if (value === undefined && optional) return undefined;
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
        throw badWhere(`${op} on '${t.label}': ${name} must be a non-negative number`, path);
      return value;
    };
    switch (op) {
      case '$intersects':
        return { kind: 'geoIncludes', target: t, point: point(arg, 'the point') };
      case '$within': {
        const parsed = parseGeo(arg);
        if (!parsed.ok || parsed.value.type !== 'Polygon')
          throw badWhere(`$within on '${t.label}' needs a GeoJSON Polygon`, path);
        const lats = parsed.value.coordinates[0]!.map((p) => p[1]);
        return {
          kind: 'geoWithin',
          target: t,
          polygon: parsed.value,
          lat: [Math.min(...lats), Math.max(...lats)],
        };
      }
      case '$center': {
        const a = (isPlainObject(arg) ? arg : {}) as { radius?: unknown; coordinates?: unknown };
        const center = point({ type: 'Point', coordinates: a.coordinates }, 'coordinates');
        const radius = meters(a.radius, 'radius (km)', false)! * 1000;
        return { kind: 'geoCircle', target: t, center, meters: radius, box: box(center, radius) };
      }
      default: {
        // $nearsphere: {geometry: Point, max_distance?, min_distance?} in metres.
        const a = (isPlainObject(arg) ? arg : {}) as {
          geometry?: unknown;
          max_distance?: unknown;
          min_distance?: unknown;
        };
        const center = point(a.geometry, 'geometry');
        const max = meters(a.max_distance, 'max_distance (m)', true);
        const min = meters(a.min_distance, 'min_distance (m)', true) ?? 0;
        this.nearest ??= { target: t, center };
        return max === undefined
          ? { kind: 'geoNear', target: t, center, min }
          : { kind: 'geoNear', target: t, center, min, max, box: box(center, max) };
      }
    }
  }

  private textOnly(t: Target, op: string, path: string): void {
    if (t.type !== 'string' && t.type !== 'date' && t.type !== 'json')
      throw badWhere(`${op} applies to string fields, '${t.label}' is ${t.type}`, path);
  }

  private membership(t: Target, op: string, arg: unknown, path: string): Condition {
    if (!Array.isArray(arg)) throw badWhere(`${op} on '${t.label}' takes an array`, path);
    if (arg.length > QUERY_LIMITS.maxListLength)
      throw tooComplex(`${op} takes at most ${QUERY_LIMITS.maxListLength} values.`, path);
    const values = arg.map((v) => this.operand(t, v, path, true));
    if (op === '$all') {
      if (t.type !== 'array' && t.type !== 'json')
        throw badWhere(`$all applies to array fields, '${t.label}' is ${t.type}`, path);
      // true and 1 are one value inside JSON (both backends compare them as stored).
      const distinct = new Set(values.map((v) => `${typeof asNumber(v)}:${String(asNumber(v))}`))
        .size;
      if (distinct === 0) return TRUE;
      return { kind: 'all', target: t, values, distinct };
    }
    const negate = op === '$nin';
    if (t.type === 'array' || t.type === 'json')
      return { kind: 'anyIn', target: t, values, negate };
    return { kind: 'in', target: t, values, negate };
  }

  /** The JSON text an array operand is stored as. */
  private jsonText(t: Target, arg: unknown, path: string): string {
    if (!Array.isArray(arg)) throw badWhere(`'${t.label}' needs an array`, path);
    return JSON.stringify(
      arg.map((v) => (typeof v === 'boolean' ? v : this.operand(t, v, path, true))),
    );
  }

  /** Checks and converts one operand for the target's type. */
  private operand(t: Target, v: unknown, path: string, element = false): Scalar {
    const type = element && t.type === 'array' ? (t.items ?? 'json') : t.type;
    const fail = (expected: string): never => {
      throw new TableError(
        'E_TABLE_BAD_WHERE',
        `Invalid where: '${t.label}' expects ${expected}, got ${v === null ? 'null' : typeof v}.`,
        { field: t.label.split('.')[0], path },
      );
    };
    switch (type) {
      case 'string':
        if (typeof v === 'number' && Number.isFinite(v)) return String(v);
        return typeof v === 'string' ? v : fail('a string');
      case 'integer':
      case 'number':
        if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)))
          return Number(v);
        return typeof v === 'number' && Number.isFinite(v) ? v : fail('a number');
      case 'boolean':
        return typeof v === 'boolean' ? v : fail('true or false');
      case 'date': {
        const d = typeof v === 'string' ? normaliseDate(v) : null;
        return d ?? fail('an ISO-8601 date');
      }
      default:
        // Inside arrays without item type and inside objects: any JSON scalar.
        if (typeof v === 'string' || typeof v === 'boolean') return v;
        if (typeof v === 'number' && Number.isFinite(v)) return v;
        return fail('a string, number or boolean');
    }
  }
}

/** A boolean as 1/0, as both SQLite and a JSON comparison of stored values see it. */
export function asNumber(v: Scalar): string | number {
  return typeof v === 'boolean' ? (v ? 1 : 0) : v;
}

function box(center: [number, number], meters: number): GeoBox {
  const lat = latitudeBand(center[1], meters);
  const lng = longitudeBand(center[0], center[1], meters);
  return lng === undefined ? { lat } : { lat, lng };
}

/**
 * Checks a `where` document for a table whose fields (system fields included) are given.
 * Throws a 400 TableError (E_TABLE_BAD_WHERE, E_TABLE_UNKNOWN_FIELD, E_TABLE_BAD_REGEX,
 * E_TABLE_QUERY_TOO_COMPLEX) for anything that cannot be answered.
 */
export function parseWhere(where: unknown, fields: ReadonlyMap<string, QueryField>): ParsedWhere {
  if (where === undefined || where === null) return { condition: TRUE };
  const parser = new Parser(fields);
  const condition = parser.node(where, 0, '$');
  return parser.nearest === undefined ? { condition } : { condition, nearest: parser.nearest };
}
