/**
 * The SQLite dialect of a checked `where` (where.ts): parameterised SQL for the records
 * table aliased `r`. Columns come pre-quoted from the schema; values and JSON paths are
 * always parameters. Regexes and geo tests call the functions each connection registers
 * (cf_regexp, cf_geo_*), which run the same JavaScript as every other backend.
 */
import { latitudeExpr, longitudeExpr } from './geo-sql.ts';
import { type Condition, type GeoBox, type ParsedWhere, type Target, asNumber } from '../where.ts';

export type SqlValue = string | number | null;

export interface SqlCondition {
  sql: string;
  params: SqlValue[];
  /** A sort the query asks for (withinRegion: near to far), with its own parameters. */
  order?: { sql: string; params: SqlValue[] };
}

/** SQLite's JSON path for a dotted path's keys: `$."a"."b"`. */
function jsonPath(keys: readonly string[]): string {
  return '$' + keys.map((s) => `."${s}"`).join('');
}

class SqliteEmitter {
  readonly params: SqlValue[] = [];

  private param(value: SqlValue): string {
    this.params.push(value);
    return '?';
  }

  /** The SQL for the value tested (a column, or json_extract of a path; a new parameter per use). */
  private expr(t: Target): string {
    return t.path === undefined
      ? t.column
      : `json_extract(${t.column}, ${this.param(jsonPath(t.path))})`;
  }

  private eachOf(t: Target): string {
    return t.path === undefined
      ? `json_each(${t.column})`
      : `json_each(${t.column}, ${this.param(jsonPath(t.path))})`;
  }

  // Each template below is evaluated left to right, so parameters are pushed in SQL order.
  emit(c: Condition): string {
    switch (c.kind) {
      case 'const':
        return c.value ? '1' : '0';
      case 'and':
      case 'or':
        return `(${c.items.map((i) => this.emit(i)).join(c.kind === 'and' ? ' AND ' : ' OR ')})`;
      case 'isNull':
        if (c.target.path !== undefined) {
          // Missing and JSON null both count as null inside an object.
          return `COALESCE(json_type(${c.target.column}, ${this.param(jsonPath(c.target.path))}), 'null') ${c.isNull ? '=' : '!='} 'null'`;
        }
        return `${c.target.column} IS ${c.isNull ? '' : 'NOT '}NULL`;
      case 'exists':
        return `json_type(${c.target.column}, ${this.param(jsonPath(c.target.path!))}) IS ${c.exists ? 'NOT ' : ''}NULL`;
      case 'member': {
        const member = `EXISTS (SELECT 1 FROM ${this.eachOf(c.target)} AS je WHERE je.value = ${this.param(asNumber(c.value))})`;
        return c.negate ? `NOT ${member}` : member;
      }
      case 'eq':
      case 'eqJson': {
        const v = c.kind === 'eq' ? asNumber(c.value) : c.json;
        return c.negate
          ? `${this.expr(c.target)} IS NOT ${this.param(v)}`
          : `${this.expr(c.target)} = ${this.param(v)}`;
      }
      case 'compare':
        return `${this.expr(c.target)} ${c.op} ${this.param(asNumber(c.value))}`;
      case 'contains':
        return `instr(${this.expr(c.target)}, ${this.param(c.text)}) > 0`;
      case 'regex':
        return `cf_regexp(${this.param(c.pattern)}, ${this.param(c.flags)}, ${this.expr(c.target)}) = 1`;
      case 'in':
      case 'anyIn':
      case 'all':
        return this.membership(c);
      case 'hasKey':
        // json_each keys are member names for an object, integer indexes for an array.
        return `EXISTS (SELECT 1 FROM ${this.eachOf(c.target)} AS je WHERE je.key = ${this.param(c.key)})`;
      default:
        return this.geo(c);
    }
  }

  private membership(c: Extract<Condition, { kind: 'in' | 'anyIn' | 'all' }>): string {
    const values = JSON.stringify(c.values.map(asNumber));
    const list = (): string => `(SELECT value FROM json_each(${this.param(values)}))`;
    const t = c.target;
    if (c.kind === 'all')
      return `(SELECT COUNT(DISTINCT je.value) FROM ${this.eachOf(t)} AS je WHERE je.value IN ${list()}) = ${this.param(c.distinct)}`;
    if (c.kind === 'anyIn') {
      // Any element of the stored array in the list. (json_each of a scalar yields that scalar.)
      const any = `EXISTS (SELECT 1 FROM ${this.eachOf(t)} AS je WHERE je.value IN ${list()})`;
      return c.negate ? `NOT ${any}` : any;
    }
    return c.negate
      ? `(${t.column} IS NULL OR ${t.column} NOT IN ${list()})`
      : `${t.column} IN ${list()}`;
  }

  /**
   * Geo tests. Circles and regions first keep a latitude band (served by the field's index
   * on a point's latitude), then measure on the sphere; within keeps the polygon's band.
   */
  private geo(c: Extract<Condition, { kind: `geo${string}` }>): string {
    const col = c.target.column;
    switch (c.kind) {
      case 'geoIncludes':
        return `cf_geo_contains(${col}, ${this.param(c.point[0])}, ${this.param(c.point[1])}) = 1`;
      case 'geoWithin':
        return `(${latitudeExpr(col)} BETWEEN ${this.param(c.lat[0])} AND ${this.param(c.lat[1])} AND cf_geo_within(${col}, ${this.param(JSON.stringify(c.polygon))}) = 1)`;
      case 'geoCircle':
        return `(${this.box(col, c.box)} AND cf_geo_distance(${col}, ${this.param(c.center[0])}, ${this.param(c.center[1])}) <= ${this.param(c.meters)})`;
      case 'geoNear': {
        const parts: string[] = [];
        if (c.box !== undefined) parts.push(this.box(col, c.box));
        const distance = `cf_geo_distance(${col}, ${this.param(c.center[0])}, ${this.param(c.center[1])})`;
        parts.push(
          c.max === undefined
            ? `${distance} >= ${this.param(c.min)}`
            : `${distance} BETWEEN ${this.param(c.min)} AND ${this.param(c.max)}`,
        );
        return `(${parts.join(' AND ')})`;
      }
    }
  }

  /** The bounding box of a circle, so only points in it are measured. */
  private box(col: string, box: GeoBox): string {
    const sql = `${latitudeExpr(col)} BETWEEN ${this.param(box.lat[0])} AND ${this.param(box.lat[1])}`;
    if (box.lng === undefined) return sql;
    return `${sql} AND ${longitudeExpr(col)} BETWEEN ${this.param(box.lng[0])} AND ${this.param(box.lng[1])}`;
  }
}

/** The SQLite condition (and withinRegion's sort) of a checked where. */
export function sqliteWhere(parsed: ParsedWhere): SqlCondition {
  const emitter = new SqliteEmitter();
  const sql = emitter.emit(parsed.condition);
  if (parsed.nearest === undefined) return { sql, params: emitter.params };
  const { target, center } = parsed.nearest;
  return {
    sql,
    params: emitter.params,
    order: { sql: `cf_geo_distance(${target.column}, ?, ?)`, params: [center[0], center[1]] },
  };
}
