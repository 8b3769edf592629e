/**
 * How SDK values become wire values: Dates as ISO-8601 strings, a TableRecord (MinCloud's
 * pointer idiom) as its id; everything else as JSON.
 */
import { GeoPoint, GeoPolygon } from './geo.ts';

/** Anything with a record id, as MinCloud serialises a TableRecord given as a value. */
export interface HasRecordId {
  _recordID?: string | number | null;
}

export const RECORD_MARK = Symbol('cloudfn.tableRecord');

export function serializeValue(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (value instanceof GeoPoint || value instanceof GeoPolygon) return value.toGeoJSON();
  if (Array.isArray(value)) return value.map(serializeValue);
  if (typeof value === 'object' && value !== null && RECORD_MARK in value) {
    const id = (value as HasRecordId)._recordID;
    return id === null || id === undefined ? '' : String(id);
  }
  return value;
}
