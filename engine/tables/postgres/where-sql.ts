/**
 * The PostgreSQL dialect of a checked `where` (where.ts), giving the same answers as the
 * SQLite dialect (the TableStore contract suite is the judge):
 * - text columns are `COLLATE "C"` (byte order, as SQLite's BINARY); sorts put NULLs first
 *   ascending, last descending, as SQLite does;
 * - membership tests walk array elements with `jsonb_array_elements` and compare each one:
 *   `@>` is recursive containment (`'[[1,2]]' @> '[[1]]'` is true), not MinCloud's equality;
 * - inside JSON a boolean compares as 1/0 and numbers sort before text, as SQLite's
 *   json_extract values do;
 * - a `$regex` and the polygon tests are answered by JavaScript (where-prepass.ts) before
 *   this runs, so every backend evaluates them with the same code.
 */
import { escapeJson, escapeText } from './nul-escape.ts';
import { pgDistance, pgLatitude, pgLongitude } from './geo-sql.ts';
import {
  type CompareOp,
  type Condition,
  type GeoBox,
  type Scalar,
  type Target,
  asNumber,
} from '../where.ts';

export type PgValue = string | number | boolean | null | string[];

/** The tree once the JavaScript-evaluated leaves are answered (where-prepass.ts). */
export type PgCondition =
  | Exclude<Condition, { kind: 'and' | 'or' | 'regex' | 'geoIncludes' | 'geoWithin' }>
  | { kind: 'and' | 'or'; items: PgCondition[] }
  /** A regex's answer: the target is one of these (stored, escaped) strings. */
  | { kind: 'textIn'; target: Target; values: string[] }
  /** A polygon test's answer: these records (by `_seq`). */
  | { kind: 'seqIn'; seqs: number[] }
  /** include on a stored Point: it is that point. */
  | { kind: 'pointIs'; target: Target; point: [number, number] };

export interface PgSql {
  sql: string;
  params: PgValue[];
}

const JSON_SCALAR_TYPES = new Set(['string', 'integer', 'number', 'date']);

/** A JSON value with booleans as the numbers 1/0 (how SQLite's JSON functions see them). */
function boolAsNumber(x: string): string {
  return `(CASE WHEN jsonb_typeof(${x}) = 'boolean' THEN to_jsonb((${x})::boolean::int) ELSE ${x} END)`;
}

/** A JSON scalar as SQLite's json_extract gives it: a number (booleans 1/0) … */
function jsonNumber(x: string): string {
  return `(CASE jsonb_typeof(${x}) WHEN 'number' THEN (${x})::numeric WHEN 'boolean' THEN (${x})::boolean::int END)`;
}
/** … or text (strings, and objects/arrays as their JSON). */
function jsonText(x: string): string {
  return `(CASE jsonb_typeof(${x}) WHEN 'string' THEN ${x} #>> '{}' WHEN 'object' THEN ${x}::text WHEN 'array' THEN ${x}::text END)`;
}

export class PgEmitter {
  readonly params: PgValue[] = [];

  param(value: PgValue, cast?: string): string {
    this.params.push(value);
    return cast === undefined ? `$${this.params.length}` : `$${this.params.length}::${cast}`;
  }

  /** The jsonb at a dotted path (one parameter, used once). */
  private at(t: Target): string {
    return `(${t.column} #> ${this.param(t.path!, 'text[]')})`;
  }

  /** The elements SQLite's json_each would walk: an array's, an object's values, or the scalar. */
  private elements(t: Target): string {
    if (t.path === undefined) return `jsonb_array_elements(${t.column})`;
    const x = this.at(t);
    return `jsonb_array_elements(CASE jsonb_typeof(${x}) WHEN 'array' THEN ${x} WHEN 'object' THEN (SELECT jsonb_agg(o.value) FROM jsonb_each(${x}) AS o) ELSE jsonb_build_array(${x}) END)`;
  }

  /** An element compared as SQLite compares json_each values (booleans as 1/0, unless typed). */
  private element(t: Target, x: string): string {
    return t.path === undefined && t.items !== undefined && JSON_SCALAR_TYPES.has(t.items)
      ? x
      : boolAsNumber(x);
  }

  private scalar(t: Target, v: Scalar): string {
    if (t.type === 'boolean') return this.param(v, 'boolean');
    if (t.type === 'integer')
      return this.param(String(v), Number.isInteger(v) ? 'bigint' : 'numeric');
    if (t.type === 'number') return this.param(String(v), 'float8');
    return this.param(escapeText(String(v)), 'text');
  }

  private list(values: Scalar[]): string {
    return this.param(escapeJson(JSON.stringify(values.map(asNumber))), 'jsonb');
  }

  emit(c: PgCondition): string {
    switch (c.kind) {
      case 'const':
        return c.value ? 'TRUE' : 'FALSE';
      case 'and':
      case 'or':
        return `(${c.items.map((i) => this.emit(i)).join(c.kind === 'and' ? ' AND ' : ' OR ')})`;
      case 'isNull':
        if (c.target.path !== undefined)
          return `COALESCE(jsonb_typeof(${this.at(c.target)}), 'null') ${c.isNull ? '=' : '!='} 'null'`;
        return `${c.target.column} IS ${c.isNull ? '' : 'NOT '}NULL`;
      case 'exists':
        return `${this.at(c.target)} IS ${c.exists ? 'NOT ' : ''}NULL`;
      case 'member': {
        const t = c.target;
        const member = `EXISTS (SELECT 1 FROM ${this.elements(t)} AS je(v) WHERE ${this.element(t, 'je.v')} = ${this.param(escapeJson(JSON.stringify(asNumber(c.value))), 'jsonb')})`;
        return c.negate ? `NOT ${member}` : member;
      }
      case 'eq': {
        const t = c.target;
        if (t.path === undefined)
          return `${t.column} ${c.negate ? 'IS DISTINCT FROM' : '='} ${this.scalar(t, c.value)}`;
        const value = this.param(escapeJson(JSON.stringify(asNumber(c.value))), 'jsonb');
        return `${boolAsNumber(this.at(t))} ${c.negate ? 'IS DISTINCT FROM' : '='} ${value}`;
      }
      case 'eqJson': {
        const x = c.target.path === undefined ? c.target.column : this.at(c.target);
        return `${x} ${c.negate ? 'IS DISTINCT FROM' : '='} ${this.param(escapeJson(c.json), 'jsonb')}`;
      }
      case 'compare':
        return this.compare(c.target, c.op, c.value);
      case 'contains': {
        const x = c.target.path === undefined ? c.target.column : `(${this.at(c.target)} #>> '{}')`;
        return `strpos(${x}, ${this.param(escapeText(c.text), 'text')}) > 0`;
      }
      case 'textIn': {
        const values = this.param(c.values, 'text[]');
        if (c.target.path === undefined) return `${c.target.column} = ANY(${values})`;
        const x = this.at(c.target);
        return `(jsonb_typeof(${x}) = 'string' AND (${x} #>> '{}') = ANY(${values}))`;
      }
      case 'in': {
        const t = c.target;
        const type =
          t.type === 'boolean'
            ? 'boolean[]'
            : t.type === 'integer'
              ? c.values.every((v) => Number.isInteger(v))
                ? 'bigint[]'
                : 'numeric[]'
              : t.type === 'number'
                ? 'float8[]'
                : 'text[]';
        const list = this.param(
          c.values.map((v) => (typeof v === 'string' ? escapeText(v) : String(v))),
          type,
        );
        return c.negate
          ? `(${t.column} IS NULL OR NOT (${t.column} = ANY(${list})))`
          : `${t.column} = ANY(${list})`;
      }
      case 'anyIn': {
        const t = c.target;
        const any = `EXISTS (SELECT 1 FROM ${this.elements(t)} AS je(v) WHERE ${this.element(t, 'je.v')} IN (SELECT jsonb_array_elements(${this.list(c.values)})))`;
        return c.negate ? `NOT ${any}` : any;
      }
      case 'all': {
        const t = c.target;
        const e = this.element(t, 'je.v');
        return `(SELECT COUNT(DISTINCT ${e}) FROM ${this.elements(t)} AS je(v) WHERE ${e} IN (SELECT jsonb_array_elements(${this.list(c.values)}))) = ${this.param(c.distinct, 'int')}`;
      }
      case 'hasKey': {
        const x = c.target.path === undefined ? c.target.column : this.at(c.target);
        return `(jsonb_typeof(${x}) = 'object' AND jsonb_exists(${x}, ${this.param(c.key, 'text')}))`;
      }
      case 'seqIn':
        return `r."_seq" = ANY(${this.param(c.seqs.map(String), 'bigint[]')})`;
      case 'pointIs':
        return `(${pgLongitude(c.target.column)} = ${this.param(c.point[0], 'float8')} AND ${pgLatitude(c.target.column)} = ${this.param(c.point[1], 'float8')})`;
      case 'geoCircle':
        return `(${this.box(c.target.column, c.box)} AND ${this.distance(c.target, c.center)} <= ${this.param(c.meters, 'float8')})`;
      case 'geoNear': {
        const parts: string[] = [];
        if (c.box !== undefined) parts.push(this.box(c.target.column, c.box));
        const distance = this.distance(c.target, c.center);
        parts.push(
          c.max === undefined
            ? `${distance} >= ${this.param(c.min, 'float8')}`
            : `${distance} BETWEEN ${this.param(c.min, 'float8')} AND ${this.param(c.max, 'float8')}`,
        );
        return `(${parts.join(' AND ')})`;
      }
    }
  }

  distance(t: Target, center: [number, number]): string {
    return pgDistance(t.column, this.param(center[0], 'float8'), this.param(center[1], 'float8'));
  }

  /** The circle's box on the indexed latitude (and, away from the poles, the longitude). */
  private box(col: string, box: GeoBox): string {
    const sql = `${pgLatitude(col)} BETWEEN ${this.param(box.lat[0], 'float8')} AND ${this.param(box.lat[1], 'float8')}`;
    if (box.lng === undefined) return sql;
    return `${sql} AND ${pgLongitude(col)} BETWEEN ${this.param(box.lng[0], 'float8')} AND ${this.param(box.lng[1], 'float8')}`;
  }

  /**
   * A comparison. On a column both sides have the column's type. Inside JSON, SQLite's
   * order holds: NULL matches nothing, numbers (booleans as 1/0) sort before all text.
   */
  private compare(t: Target, op: CompareOp, value: Scalar): string {
    if (t.path === undefined) return `${t.column} ${op} ${this.scalar(t, value)}`;
    const x = this.at(t);
    const below = op === '<' || op === '<=';
    if (typeof value === 'string') {
      const text = `${jsonText(x)} ${op} ${this.param(escapeText(value), 'text')} COLLATE "C"`;
      return below ? `(${text} OR jsonb_typeof(${x}) IN ('number', 'boolean'))` : text;
    }
    const number = `${jsonNumber(x)} ${op} ${this.param(String(asNumber(value)), 'numeric')}`;
    return below ? number : `(${number} OR jsonb_typeof(${x}) IN ('string', 'object', 'array'))`;
  }
}
