/**
 * The field types of SPEC §5, alone in a module that loads nothing else, so the CLI and the
 * API description can name them without loading a store, SQLite or zod.
 */
import type { FieldType } from './table-store.ts';

export const FIELD_TYPES: readonly FieldType[] = [
  'string',
  'integer',
  'number',
  'boolean',
  'date',
  'array',
  'object',
  'pointer',
  'geojson',
];
