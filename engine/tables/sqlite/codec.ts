/**
 * Field values to and from SQLite's STRICT columns: booleans as 1/0, arrays, objects and
 * GeoJSON as JSON text, a pointer as the id it holds.
 */
import type { FieldType } from '../table-store.ts';

/** The SQLite value stored for a checked value. */
export function encodeValue(type: FieldType, value: unknown): string | number | null {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'boolean':
      return value ? 1 : 0;
    case 'array':
    case 'object':
    case 'geojson':
      return JSON.stringify(value);
    case 'pointer':
      return String((value as { id: unknown }).id);
    default:
      return value as string | number;
  }
}

/** The record value for a stored SQLite value. */
export function decodeValue(type: FieldType, stored: unknown): unknown {
  if (stored === null || stored === undefined) return null;
  switch (type) {
    case 'boolean':
      return stored === 1 || stored === 1n;
    case 'array':
    case 'object':
    case 'geojson':
      return JSON.parse(stored as string) as unknown;
    default:
      return stored;
  }
}
