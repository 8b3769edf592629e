/**
 * `BaaS.Query`: builds MinCloud's `where` wire format (`{$and: [{field: {$op: v}}]}`),
 * exactly as MinCloud's SDK does, so the host sees the same documents as the REST API.
 */
import { badArgument } from './errors.ts';
import { GeoPoint, GeoPolygon } from './geo.ts';
import { serializeValue } from './values.ts';

const COMPARE_OPS: Record<string, string> = {
  '=': '$eq',
  '!=': '$ne',
  '<': '$lt',
  '<=': '$lte',
  '>': '$gt',
  '>=': '$gte',
};

function checkKey(key: unknown, method: string): string {
  if (typeof key !== 'string' || key === '')
    throw badArgument(`Query.${method} needs a field name`);
  return key;
}

function keyList(keys: unknown, method: string): string[] {
  return (Array.isArray(keys) ? keys : [keys]).map((k) => checkKey(k, method));
}

export class Query {
  /** MinCloud's public property: the wire-format document this query stands for. */
  queryObject: Record<string, unknown> = {};

  /** All of the given queries. */
  static and(...queries: Query[]): Query {
    return Query.combine('$and', queries);
  }

  /** Any of the given queries. */
  static or(...queries: Query[]): Query {
    return Query.combine('$or', queries);
  }

  private static combine(op: '$and' | '$or', queries: Query[]): Query {
    const q = new Query();
    q.queryObject = {
      [op]: queries.map((sub) => {
        if (!isQuery(sub)) throw badArgument(`Query.${op.slice(1)} takes Query objects`);
        return cloneJson(sub.queryObject);
      }),
    };
    return q;
  }

  compare(key: string, operator: string, value: unknown): this {
    const op = Object.hasOwn(COMPARE_OPS, operator) ? COMPARE_OPS[operator] : undefined;
    if (!op)
      throw badArgument(
        `Query.compare: unknown operator ${JSON.stringify(operator)} (use = != < <= > >=)`,
      );
    return this.add(checkKey(key, 'compare'), { [op]: serializeValue(value) });
  }

  /** Case-sensitive substring test. */
  contains(key: string, str: string): this {
    if (typeof str !== 'string' || str === '')
      throw badArgument('Query.contains needs a non-empty string');
    return this.add(checkKey(key, 'contains'), { $contains: str });
  }

  /** Regular expression test: a RegExp (its flags are kept) or a pattern string and flags. */
  matches(key: string, regExp: RegExp | string, flags?: string): this {
    let source: string;
    let options: string;
    if (regExp instanceof RegExp || Object.prototype.toString.call(regExp) === '[object RegExp]') {
      source = (regExp as RegExp).source;
      options = (regExp as RegExp).flags;
    } else if (typeof regExp === 'string') {
      source = regExp;
      options = flags ?? '';
    } else {
      throw badArgument('Query.matches needs a RegExp');
    }
    const cond: Record<string, unknown> = { $regex: source };
    if (options.replace('g', '') !== '') cond.$options = options.replace('g', '');
    return this.add(checkKey(key, 'matches'), cond);
  }

  in(key: string, values: unknown[]): this {
    return this.add(checkKey(key, 'in'), { $in: arrayArg(values, 'in') });
  }

  notIn(key: string, values: unknown[]): this {
    return this.add(checkKey(key, 'notIn'), { $nin: arrayArg(values, 'notIn') });
  }

  /** The array field holds all of the given values. */
  arrayContains(key: string, values: unknown[]): this {
    return this.add(checkKey(key, 'arrayContains'), { $all: arrayArg(values, 'arrayContains') });
  }

  isNull(key: string | string[]): this {
    for (const k of keyList(key, 'isNull')) this.add(k, { $isnull: true });
    return this;
  }

  isNotNull(key: string | string[]): this {
    for (const k of keyList(key, 'isNotNull')) this.add(k, { $isnull: false });
    return this;
  }

  exists(key: string | string[]): this {
    for (const k of keyList(key, 'exists')) this.add(k, { $exists: true });
    return this;
  }

  notExists(key: string | string[]): this {
    for (const k of keyList(key, 'notExists')) this.add(k, { $exists: false });
    return this;
  }

  /** The object field has the given top-level key. */
  hasKey(key: string, fieldName: string): this {
    if (typeof fieldName !== 'string' || fieldName === '')
      throw badArgument('Query.hasKey needs a key name');
    return this.add(checkKey(key, 'hasKey'), { $has_key: fieldName });
  }

  /** Records whose geojson polygon contains the point (MinCloud's include). */
  include(key: string, point: GeoPoint): this {
    if (!(point instanceof GeoPoint)) throw badArgument('Query.include needs a GeoPoint');
    return this.add(checkKey(key, 'include'), { $intersects: point.toGeoJSON() });
  }

  /** Records whose geojson point lies in the polygon. */
  within(key: string, polygon: GeoPolygon): this {
    if (!(polygon instanceof GeoPolygon)) throw badArgument('Query.within needs a GeoPolygon');
    return this.add(checkKey(key, 'within'), { $within: polygon.toGeoJSON() });
  }

  /** Records whose geojson point is within `radius` km of the point. */
  withinCircle(key: string, point: GeoPoint, radius: number): this {
    if (!(point instanceof GeoPoint)) throw badArgument('Query.withinCircle needs a GeoPoint');
    if (typeof radius !== 'number') throw badArgument('Query.withinCircle needs a radius in km');
    return this.add(checkKey(key, 'withinCircle'), {
      $center: { radius, coordinates: [point.longitude, point.latitude] },
    });
  }

  /** Records whose geojson point is between min and max metres of the point, nearest first. */
  withinRegion(key: string, point: GeoPoint, maxDistance?: number, minDistance = 0): this {
    if (!(point instanceof GeoPoint)) throw badArgument('Query.withinRegion needs a GeoPoint');
    const data: Record<string, unknown> = {
      geometry: point.toGeoJSON(),
      min_distance: minDistance,
    };
    if (maxDistance !== undefined && maxDistance !== null) data.max_distance = maxDistance;
    return this.add(checkKey(key, 'withinRegion'), { $nearsphere: data });
  }

  private add(key: string, condition: Record<string, unknown>): this {
    const and = (this.queryObject.$and as unknown[] | undefined) ?? [];
    // Object.fromEntries defines an own property even for a key like "__proto__".
    and.push(Object.fromEntries([[key, condition]]));
    this.queryObject.$and = and;
    return this;
  }
}

function arrayArg(values: unknown, method: string): unknown[] {
  if (!Array.isArray(values)) throw badArgument(`Query.${method} needs an array`);
  return values.map(serializeValue);
}

/** True for our Query and for any object shaped like one (e.g. from another bundle). */
export function isQuery(value: unknown): value is Query {
  return (
    value instanceof Query ||
    (typeof value === 'object' &&
      value !== null &&
      typeof (value as Query).queryObject === 'object')
  );
}

export function cloneJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
