/**
 * Field values to and from PostgreSQL columns: typed columns for scalars, json for arrays,
 * objects and GeoJSON (jsonb in tables made before), text for a pointer's id. Strings are NUL-escaped (nul-escape.ts);
 * json and jsonb arrive as their text (pool.ts) and is unescaped before it is parsed.
 */
import type { FieldType } from '../table-store.ts';
import { escapeJson, escapeText, unescapeJson, unescapeText } from './nul-escape.ts';

export type PgParam = string | number | boolean | null;

/** The parameter stored for a checked value. */
export function encodePg(type: FieldType, value: unknown): PgParam {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'boolean':
      return value as boolean;
    case 'integer':
    case 'number':
      return value as number;
    case 'array':
    case 'object':
    case 'geojson':
      return escapeJson(JSON.stringify(value));
    case 'pointer':
      return escapeText(String((value as { id: unknown }).id));
    default:
      return escapeText(value as string);
  }
}

/** The record value for a stored column value (json as text). */
export function decodePg(type: FieldType, stored: unknown): unknown {
  if (stored === null || stored === undefined) return null;
  switch (type) {
    case 'array':
    case 'object':
    case 'geojson':
      return parseJsonb(stored as string);
    case 'string':
    case 'date':
    case 'pointer':
      return unescapeText(stored as string);
    default:
      return stored;
  }
}

/** A json (or jsonb) column's text as the value that was stored. */
export function parseJsonb(text: string): unknown {
  return JSON.parse(unescapeJson(text)) as unknown;
}
