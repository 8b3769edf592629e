/**
 * Value checking for typed fields (pure). A value is accepted as is, converted losslessly
 * (documented in docs/tables.md), or refused with a message naming the field. Nothing here
 * ever drops or truncates data.
 */
import { checkJson as measureJson, MAX_INPUT_DEPTH } from '../../runtime/json-limits.ts';
import { parseGeo } from './geo.ts';
import type { FieldDef, FieldType } from './table-store.ts';

/** A string holds at least 64 KiB (SPEC §5) unless the field sets `maxLength`. */
export const DEFAULT_STRING_MAX = 65_536;
/** Arrays and objects are stored as JSON text of at most this many characters. */
export const MAX_JSON_LENGTH = 1_048_576;

export type Checked =
  | { ok: true; value: unknown }
  | { ok: false; kind: 'type' | 'too_long' | 'too_deep'; message: string };

const INTEGER_STRING = /^-?(0|[1-9][0-9]*)$/;
const NUMBER_STRING = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/;
// Date-only, or date-time with an explicit zone: a zone-less time would depend on the
// server's time zone, which is not lossless.
const ISO_DATE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:?\d{2}))?$/;

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string')
    return `string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)}`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

function typeError(field: string, expected: string, value: unknown): Checked {
  return {
    ok: false,
    kind: 'type',
    message: `field '${field}' expects ${expected}, got ${describe(value)}`,
  };
}

/** Normalises an ISO-8601 date to `YYYY-MM-DDTHH:MM:SS.sssZ`, or null when it is not one (or would lose precision). */
export function normaliseDate(value: string): string | null {
  const m = ISO_DATE.exec(value);
  if (!m) return null;
  const fraction = m[7] ?? '';
  if (/[1-9]/.test(fraction.slice(3))) return null; // sub-millisecond digits would be lost
  const isoish = m[4] === undefined ? `${m[1]}-${m[2]}-${m[3]}T00:00:00Z` : value.replace(' ', 'T');
  const zone = m[8];
  const fixed =
    zone && /^[+-]\d{4}$/.test(zone)
      ? isoish.slice(0, -5) + zone.slice(0, 3) + ':' + zone.slice(3)
      : isoish;
  const time = Date.parse(fixed.replace(/(\.\d{3})\d+/, '$1'));
  if (!Number.isFinite(time)) return null;
  const out = new Date(time).toISOString();
  // Date.parse rolls 2024-02-30 over to March: refuse instead of silently moving the date.
  if (m[4] === undefined && out.slice(0, 10) !== `${m[1]}-${m[2]}-${m[3]}`) return null;
  return out;
}

function checkScalar(field: string, type: FieldType, value: unknown, maxLength: number): Checked {
  switch (type) {
    case 'string':
      if (typeof value === 'number' && Number.isFinite(value)) value = String(value);
      if (typeof value !== 'string') return typeError(field, 'a string', value);
      if (value.length > maxLength) {
        return {
          ok: false,
          kind: 'too_long',
          message: `field '${field}' is ${value.length} characters long, over its limit of ${maxLength}`,
        };
      }
      return { ok: true, value };
    case 'integer':
      if (typeof value === 'string' && INTEGER_STRING.test(value)) value = Number(value);
      if (typeof value !== 'number' || !Number.isSafeInteger(value))
        return typeError(field, 'an integer', value);
      return { ok: true, value };
    case 'number':
      if (typeof value === 'string' && NUMBER_STRING.test(value)) value = Number(value);
      if (typeof value !== 'number' || !Number.isFinite(value))
        return typeError(field, 'a number', value);
      return { ok: true, value };
    case 'boolean':
      if (typeof value !== 'boolean') return typeError(field, 'a boolean', value);
      return { ok: true, value };
    case 'date': {
      const date = typeof value === 'string' ? normaliseDate(value) : null;
      if (date === null)
        return typeError(field, 'an ISO-8601 date (YYYY-MM-DD, or a date-time with a zone)', value);
      return { ok: true, value: date };
    }
    case 'array':
      return checkJson(field, Array.isArray(value), 'an array', value);
    case 'object':
      return checkJson(field, isPlainObject(value), 'an object', value);
    case 'pointer':
      return typeError(field, 'a pointer', value); // checkValue handles pointers first
    case 'geojson': {
      const geo = parseGeo(value);
      if (!geo.ok) return typeError(field, geo.message, value);
      return { ok: true, value: geo.value };
    }
  }
}

function checkJson(field: string, rightShape: boolean, expected: string, value: unknown): Checked {
  if (!rightShape) return typeError(field, expected, value);
  // Before JSON.stringify, which recurses per level: a value thousands deep would overflow
  // the stack, and stored it would reach every reader, event and function (engine/limits).
  const shape = measureJson(value, { maxDepth: MAX_INPUT_DEPTH, maxChars: MAX_JSON_LENGTH * 2 });
  if (!shape.ok) {
    return shape.reason === 'too_deep'
      ? { ok: false, kind: 'too_deep', message: `field '${field}' is ${shape.message}` }
      : {
          ok: false,
          kind: 'too_long',
          message: `field '${field}' is ${shape.message}, over the limit of ${MAX_JSON_LENGTH}`,
        };
  }
  let text: string;
  try {
    text = JSON.stringify(value);
  } catch {
    return typeError(field, `${expected} of JSON values`, value);
  }
  if (text.length > MAX_JSON_LENGTH) {
    return {
      ok: false,
      kind: 'too_long',
      message: `field '${field}' is ${text.length} characters of JSON, over the limit of ${MAX_JSON_LENGTH}`,
    };
  }
  // A JSON round trip drops what JSON cannot hold (undefined, functions, Dates become strings),
  // so what is returned is exactly what will be stored.
  return { ok: true, value: JSON.parse(text) as unknown };
}

const HEX_ID = /^[0-9a-f]{24}$/;
const USER_ID = /^[1-9][0-9]{0,15}$/;

/**
 * A pointer value: MinCloud's `{id, _table}`. Accepted as that object, as a record id (what
 * `Table.getWithoutData(id)` becomes on the wire) or, for users, as an integer.
 */
function checkPointer(def: FieldDef, value: unknown): Checked {
  const to = def.to ?? '';
  const raw = isPlainObject(value) ? value.id : value;
  if (to === '_userprofile') {
    const n = typeof raw === 'string' && USER_ID.test(raw) ? Number(raw) : raw;
    if (typeof n === 'number' && Number.isSafeInteger(n) && n > 0)
      return { ok: true, value: { id: n, _table: to } };
    return typeError(def.name, 'a user id (or a BaaS.User().getWithoutData(id))', value);
  }
  if (typeof raw === 'string' && HEX_ID.test(raw))
    return { ok: true, value: { id: raw, _table: to } };
  return typeError(def.name, `a record id of table '${to}' (or its getWithoutData(id))`, value);
}

/** The pointer for a stored id (its text), shaped as MinCloud returns it. */
export function pointerOf(def: FieldDef, stored: unknown): unknown {
  if (stored === null || stored === undefined) return null;
  return {
    id: def.to === '_userprofile' ? Number(stored) : String(stored),
    _table: def.to,
  };
}

/**
 * Checks (and losslessly converts) a non-null value for a field. Array elements are checked
 * against `items` when the field has one.
 */
export function checkValue(def: FieldDef, value: unknown): Checked {
  if (def.type === 'pointer') return checkPointer(def, value);
  const max = def.maxLength ?? DEFAULT_STRING_MAX;
  if (def.type === 'array' && def.items && Array.isArray(value)) {
    const out: unknown[] = [];
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (item === null)
        return {
          ok: false,
          kind: 'type',
          message: `field '${def.name}[${i}]' expects ${def.items}, got null`,
        };
      const checked = checkScalar(`${def.name}[${i}]`, def.items, item, DEFAULT_STRING_MAX);
      if (!checked.ok) return checked;
      out.push(checked.value);
    }
    return checkJson(def.name, true, 'an array', out);
  }
  return checkScalar(def.name, def.type, value, max);
}
