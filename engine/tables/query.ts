/**
 * MinCloud's `where` wire format → a parameterised SQL condition (pure).
 *
 *   {"price": {"$gt": 10}, "$or": [{"tags": {"$all": ["a"]}}, {"meta.color": {"$eq": "red"}}]}
 *
 * Field names are looked up in the table's schema (never spliced: the SQL uses the
 * pre-quoted column of the schema entry); values and JSON paths are always parameters.
 * Every operand is checked against the field's type, so a wrong-type query is a 400 and
 * not a silent empty result. Limits (depth, conditions, list length) stop hostile input.
 */
import { TableError, badWhere } from './errors.ts';
import { type GeoPolygon, latitudeBand, longitudeBand, parseGeo } from './geo.ts';
import { latitudeExpr, longitudeExpr } from './geo-sql.ts';
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

export type SqlValue = string | number | null;

export interface SqlCondition {
  sql: string;
  params: SqlValue[];
  /** A sort the query asks for (withinRegion: near to far), with its own parameters. */
  order?: { sql: string; params: SqlValue[] };
}

const COMPARE: Record<string, string> = { $lt: '<', $lte: '<=', $gt: '>', $gte: '>=' };
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

/** The thing a condition tests: a typed column, or a JSON path inside an object column. */
interface Target {
  label: string;
  column: string;
  /** 'json' for a path inside an object field: the value there can be anything. */
  type: FieldType | 'json';
  items?: FieldType;
  jsonPath?: string;
}

class Compiler {
  readonly params: SqlValue[] = [];
  order: SqlCondition['order'];
  private conditions = 0;
  private readonly fields: ReadonlyMap<string, QueryField>;

  constructor(fields: ReadonlyMap<string, QueryField>) {
    this.fields = fields;
  }

  private param(value: SqlValue): string {
    this.params.push(value);
    return '?';
  }

  private count(path: string): void {
    if (++this.conditions > QUERY_LIMITS.maxConditions) {
      throw new TableError(
        'E_TABLE_QUERY_TOO_COMPLEX',
        `A where has at most ${QUERY_LIMITS.maxConditions} conditions.`,
        { path },
      );
    }
  }

  node(doc: unknown, depth: number, path: string): string {
    if (!isPlainObject(doc)) throw badWhere('each query must be a JSON object', path);
    if (depth > QUERY_LIMITS.maxDepth) {
      throw new TableError(
        'E_TABLE_QUERY_TOO_COMPLEX',
        `A where nests $and/$or at most ${QUERY_LIMITS.maxDepth} deep.`,
        { path },
      );
    }
    const parts: string[] = [];
    for (const [key, value] of Object.entries(doc)) {
      if (key === '$and' || key === '$or') {
        if (!Array.isArray(value)) throw badWhere(`${key} takes an array of queries`, path);
        if (value.length > QUERY_LIMITS.maxListLength) {
          throw new TableError(
            'E_TABLE_QUERY_TOO_COMPLEX',
            `${key} takes at most ${QUERY_LIMITS.maxListLength} queries.`,
            { path },
          );
        }
        const subs = value.map((sub, i) => {
          this.count(path);
          return this.node(sub, depth + 1, `${path}.${key}[${i}]`);
        });
        if (subs.length === 0) parts.push(key === '$and' ? '1' : '0');
        else parts.push(`(${subs.join(key === '$and' ? ' AND ' : ' OR ')})`);
      } else if (key.startsWith('$')) {
        throw badWhere(
          `unknown operator ${JSON.stringify(key)} (use $and/$or at this level, field operators inside a field)`,
          path,
        );
      } else {
        parts.push(this.field(key, value, `${path}.${key}`));
      }
    }
    if (parts.length === 0) return '1';
    return parts.length === 1 ? parts[0]! : `(${parts.join(' AND ')})`;
  }

  private target(key: string, path: string): Target {
    const [head, ...rest] = key.split('.') as [string, ...string[]];
    const field = this.fields.get(head);
    if (!field) {
      throw new TableError(
        'E_TABLE_UNKNOWN_FIELD',
        `Invalid where: field '${head.slice(0, 64)}' does not exist in the table.`,
        {
          field: head.slice(0, 64),
          path,
        },
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
    return {
      label: key,
      column: field.column,
      type: 'json',
      jsonPath: '$' + rest.map((s) => `."${s}"`).join(''),
    };
  }

  /** The SQL for the value tested (a column, or json_extract of a path; a new parameter per use). */
  private expr(t: Target): string {
    return t.jsonPath === undefined
      ? t.column
      : `json_extract(${t.column}, ${this.param(t.jsonPath)})`;
  }

  private eachOf(t: Target): string {
    return t.jsonPath === undefined
      ? `json_each(${t.column})`
      : `json_each(${t.column}, ${this.param(t.jsonPath)})`;
  }

  private field(key: string, value: unknown, path: string): string {
    const t = this.target(key, path);
    let ops: Record<string, unknown>;
    if (isPlainObject(value)) {
      const keys = Object.keys(value);
      if (keys.length === 0 || !keys.every((k) => k.startsWith('$'))) {
        throw badWhere(`'${key}' must map to operators like {"$eq": …}`, path);
      }
      ops = value;
    } else {
      ops = { $eq: value }; // shorthand {"field": value}
    }
    const parts: string[] = [];
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
    return parts.length === 1 ? parts[0]! : `(${parts.join(' AND ')})`;
  }

  private operator(t: Target, op: string, arg: unknown, options: unknown, path: string): string {
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
        if (arg === null) return this.nullTest(t, !negate);
        if (isArray && !Array.isArray(arg)) {
          // A scalar against an array field tests membership (MinCloud's behaviour).
          const member = `EXISTS (SELECT 1 FROM ${this.eachOf(t)} AS je WHERE je.value = ${this.param(this.operand(t, arg, path, true))})`;
          return negate ? `NOT ${member}` : member;
        }
        // A whole array compares as its stored JSON text (same elements, same order).
        const v =
          isArray || Array.isArray(arg) ? this.jsonText(t, arg, path) : this.operand(t, arg, path);
        return negate
          ? `${this.expr(t)} IS NOT ${this.param(v)}`
          : `${this.expr(t)} = ${this.param(v)}`;
      }
      case '$lt':
      case '$lte':
      case '$gt':
      case '$gte':
        if (isArray) throw badWhere(`${op} does not apply to the array field '${t.label}'`, path);
        if (t.type === 'boolean')
          throw badWhere(`${op} does not apply to the boolean field '${t.label}'`, path);
        if (arg === null) throw badWhere(`${op} on '${t.label}' needs a value, not null`, path);
        return `${this.expr(t)} ${COMPARE[op]} ${this.param(this.operand(t, arg, path))}`;
      case '$contains':
        this.textOnly(t, op, path);
        if (typeof arg !== 'string')
          throw badWhere(`$contains on '${t.label}' takes a string`, path);
        return `instr(${this.expr(t)}, ${this.param(arg)}) > 0`;
      case '$regex': {
        this.textOnly(t, op, path);
        const { pattern, flags } = checkRegex(arg, options);
        return `cf_regexp(${this.param(pattern)}, ${this.param(flags)}, ${this.expr(t)}) = 1`;
      }
      case '$in':
      case '$nin':
      case '$all':
        return this.membership(t, op, arg, path);
      case '$isnull':
        if (typeof arg !== 'boolean')
          throw badWhere(`$isnull on '${t.label}' takes true or false`, path);
        return this.nullTest(t, arg);
      case '$exists':
        if (typeof arg !== 'boolean')
          throw badWhere(`$exists on '${t.label}' takes true or false`, path);
        if (t.jsonPath !== undefined) {
          return `json_type(${t.column}, ${this.param(t.jsonPath)}) IS ${arg ? 'NOT ' : ''}NULL`;
        }
        return this.nullTest(t, !arg);
      case '$has_key':
        if (!isObject && t.type !== 'json')
          throw badWhere(`$has_key applies to object fields, not '${t.label}'`, path);
        if (typeof arg !== 'string' || arg === '' || arg.length > 128)
          throw badWhere(`$has_key on '${t.label}' takes a key name`, path);
        // json_each keys are member names for an object, integer indexes for an array.
        return `EXISTS (SELECT 1 FROM ${this.eachOf(t)} AS je WHERE je.key = ${this.param(arg)})`;
      default:
        throw badWhere(`unknown operator ${op}`, path);
    }
  }

  /**
   * Geo tests. Circles and regions first keep a latitude band (served by the field's index
   * on a point's latitude), then measure on the sphere; within keeps the polygon's band.
   */
  private geo(t: Target, op: string, arg: unknown, path: string): string {
    if (t.type !== 'geojson')
      throw badWhere(`${op} applies to geojson fields, '${t.label}' is ${t.type}`, path);
    const col = t.column;
    const lat = latitudeExpr(col);
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
      case '$intersects': {
        const [lng, la] = point(arg, 'the point');
        return `cf_geo_contains(${col}, ${this.param(lng)}, ${this.param(la)}) = 1`;
      }
      case '$within': {
        const parsed = parseGeo(arg);
        if (!parsed.ok || parsed.value.type !== 'Polygon')
          throw badWhere(`$within on '${t.label}' needs a GeoJSON Polygon`, path);
        const outer = (parsed.value as GeoPolygon).coordinates[0]!;
        const lats = outer.map((p) => p[1]);
        return `(${lat} BETWEEN ${this.param(Math.min(...lats))} AND ${this.param(Math.max(...lats))} AND cf_geo_within(${col}, ${this.param(JSON.stringify(parsed.value))}) = 1)`;
      }
      case '$center': {
        const a = (isPlainObject(arg) ? arg : {}) as { radius?: unknown; coordinates?: unknown };
        const [lng, la] = point({ type: 'Point', coordinates: a.coordinates }, 'coordinates');
        const radius = meters(a.radius, 'radius (km)', false)! * 1000;
        return `(${this.box(col, lng, la, radius)} AND cf_geo_distance(${col}, ${this.param(lng)}, ${this.param(la)}) <= ${this.param(radius)})`;
      }
      default: {
        // $nearsphere: {geometry: Point, max_distance?, min_distance?} in metres.
        const a = (isPlainObject(arg) ? arg : {}) as {
          geometry?: unknown;
          max_distance?: unknown;
          min_distance?: unknown;
        };
        const [lng, la] = point(a.geometry, 'geometry');
        const max = meters(a.max_distance, 'max_distance (m)', true);
        const min = meters(a.min_distance, 'min_distance (m)', true) ?? 0;
        this.order ??= {
          sql: `cf_geo_distance(${col}, ?, ?)`,
          params: [lng, la],
        };
        const parts: string[] = [];
        if (max !== undefined) parts.push(this.box(col, lng, la, max));
        const distance = `cf_geo_distance(${col}, ${this.param(lng)}, ${this.param(la)})`;
        parts.push(
          max === undefined
            ? `${distance} >= ${this.param(min)}`
            : `${distance} BETWEEN ${this.param(min)} AND ${this.param(max)}`,
        );
        return `(${parts.join(' AND ')})`;
      }
    }
  }

  /**
   * The bounding box of a circle: the latitude band (which the field's index serves) and,
   * away from the poles, the longitude band, so only points in the box are measured.
   */
  private box(col: string, lng: number, lat: number, meters: number): string {
    const [lo, hi] = latitudeBand(lat, meters);
    const sql = `${latitudeExpr(col)} BETWEEN ${this.param(lo)} AND ${this.param(hi)}`;
    const lngBand = longitudeBand(lng, lat, meters);
    if (lngBand === undefined) return sql;
    return `${sql} AND ${longitudeExpr(col)} BETWEEN ${this.param(lngBand[0])} AND ${this.param(lngBand[1])}`;
  }

  private nullTest(t: Target, isNull: boolean): string {
    if (t.jsonPath !== undefined) {
      // Missing and JSON null both count as null inside an object.
      return `COALESCE(json_type(${t.column}, ${this.param(t.jsonPath)}), 'null') ${isNull ? '=' : '!='} 'null'`;
    }
    return `${t.column} IS ${isNull ? '' : 'NOT '}NULL`;
  }

  private textOnly(t: Target, op: string, path: string): void {
    if (t.type !== 'string' && t.type !== 'date' && t.type !== 'json') {
      throw badWhere(`${op} applies to string fields, '${t.label}' is ${t.type}`, path);
    }
  }

  private membership(t: Target, op: string, arg: unknown, path: string): string {
    if (!Array.isArray(arg)) throw badWhere(`${op} on '${t.label}' takes an array`, path);
    if (arg.length > QUERY_LIMITS.maxListLength) {
      throw new TableError(
        'E_TABLE_QUERY_TOO_COMPLEX',
        `${op} takes at most ${QUERY_LIMITS.maxListLength} values.`,
        { path },
      );
    }
    const values = JSON.stringify(this.list(t, arg, path));
    // Each template below is evaluated left to right, so parameters are pushed in SQL order.
    const list = (): string => `(SELECT value FROM json_each(${this.param(values)}))`;
    if (op === '$all') {
      if (t.type !== 'array' && t.type !== 'json')
        throw badWhere(`$all applies to array fields, '${t.label}' is ${t.type}`, path);
      const distinct = new Set(
        (JSON.parse(values) as unknown[]).map((v) => `${typeof v}:${String(v)}`),
      ).size;
      if (distinct === 0) return '1';
      return `(SELECT COUNT(DISTINCT je.value) FROM ${this.eachOf(t)} AS je WHERE je.value IN ${list()}) = ${this.param(distinct)}`;
    }
    if (t.type === 'array' || t.type === 'json') {
      // Any element of the stored array in the list. (json_each of a scalar yields that scalar.)
      const any = `EXISTS (SELECT 1 FROM ${this.eachOf(t)} AS je WHERE je.value IN ${list()})`;
      return op === '$in' ? any : `NOT ${any}`;
    }
    return op === '$in'
      ? `${t.column} IN ${list()}`
      : `(${t.column} IS NULL OR ${t.column} NOT IN ${list()})`;
  }

  /** The JSON text an array operand is stored as (booleans stay booleans here). */
  private jsonText(t: Target, arg: unknown, path: string): string {
    if (!Array.isArray(arg)) throw badWhere(`'${t.label}' needs an array`, path);
    return JSON.stringify(
      arg.map((v) => (typeof v === 'boolean' ? v : this.operand(t, v, path, true))),
    );
  }

  /** The elements of a list operand, each checked like a single operand (no nulls). */
  private list(t: Target, arg: unknown, path: string): Array<string | number> {
    if (!Array.isArray(arg)) throw badWhere(`'${t.label}' needs an array`, path);
    return arg.map((v) => this.operand(t, v, path, true));
  }

  /** Checks and converts one operand for the target's type; booleans become 1/0 as stored. */
  private operand(t: Target, v: unknown, path: string, element = false): string | number {
    const type = element && t.type === 'array' ? (t.items ?? 'json') : t.type;
    const fail = (expected: string): never => {
      throw new TableError(
        'E_TABLE_BAD_WHERE',
        `Invalid where: '${t.label}' expects ${expected}, got ${v === null ? 'null' : typeof v}.`,
        {
          field: t.label.split('.')[0],
          path,
        },
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
        return typeof v === 'boolean' ? (v ? 1 : 0) : fail('true or false');
      case 'date': {
        const d = typeof v === 'string' ? normaliseDate(v) : null;
        return d ?? fail('an ISO-8601 date');
      }
      default:
        // Inside arrays without item type and inside objects: any JSON scalar.
        if (typeof v === 'string') return v;
        if (typeof v === 'number' && Number.isFinite(v)) return v;
        if (typeof v === 'boolean') return v ? 1 : 0;
        return fail('a string, number or boolean');
    }
  }
}

/**
 * Compiles a `where` document for a table whose fields (system fields included) are given.
 * Throws a 400 TableError (E_TABLE_BAD_WHERE, E_TABLE_UNKNOWN_FIELD, E_TABLE_BAD_REGEX,
 * E_TABLE_QUERY_TOO_COMPLEX) for anything it cannot compile.
 */
export function compileWhere(
  where: unknown,
  fields: ReadonlyMap<string, QueryField>,
): SqlCondition {
  if (where === undefined || where === null) return { sql: '1', params: [] };
  const compiler = new Compiler(fields);
  const sql = compiler.node(where, 0, '$');
  return compiler.order === undefined
    ? { sql, params: compiler.params }
    : { sql, params: compiler.params, order: compiler.order };
}
