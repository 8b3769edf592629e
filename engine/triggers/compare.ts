/**
 * The typed comparisons behind rule ops (docs/triggers.md, "How values compare").
 * WeChat pushes carry every value but CreateTime as a string (SPEC §3), so a rule with a
 * JSON number value compares numerically with a field like "123"; two strings compare as
 * text, so card codes with leading zeros and 64-bit MsgIds keep their exact identity.
 */

// Decimal numbers only: "0x10", "1e", " 1", "" and "Infinity" are text, not numbers.
const NUMERIC = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;

/** The number a value stands for: a finite number, or a string written as a decimal number. */
export function asNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && NUMERIC.test(value)) {
    const n = Number(value);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

function asBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return undefined;
}

/**
 * Equality of a field's value with a rule's value. Numbers meet numeric strings as numbers,
 * booleans meet "true"/"false", strings are compared exactly, null only equals null, and
 * arrays/objects are compared structurally (strictly, without coercion inside).
 */
export function valuesEqual(actual: unknown, expected: unknown): boolean {
  if (typeof expected === 'number' || typeof actual === 'number') {
    const a = asNumber(actual);
    const e = asNumber(expected);
    return a !== undefined && e !== undefined && a === e;
  }
  if (typeof expected === 'boolean' || typeof actual === 'boolean') {
    const a = asBoolean(actual);
    return a !== undefined && a === asBoolean(expected);
  }
  if (typeof expected === 'string' || typeof actual === 'string') return actual === expected;
  return deepEqual(actual, expected);
}

/**
 * Order of a field's value against a rule's value: negative, zero or positive, or undefined
 * when they cannot be ordered (then every ordering op is false). Numeric when either side is
 * a number and the other is numeric; text order (UTF-16 code units) when both are strings.
 */
export function compareValues(actual: unknown, expected: unknown): number | undefined {
  if (typeof expected === 'number' || typeof actual === 'number') {
    const a = asNumber(actual);
    const e = asNumber(expected);
    return a === undefined || e === undefined ? undefined : a - e;
  }
  if (typeof actual === 'string' && typeof expected === 'string') {
    return actual < expected ? -1 : actual > expected ? 1 : 0;
  }
  return undefined;
}

/** Text a string or number stands for (numbers as their decimal text); undefined otherwise. */
export function asText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** Substring of a string (case-sensitive, as SPEC §5's Query.contains), or member of an array. */
export function containsValue(actual: unknown, expected: unknown): boolean {
  if (Array.isArray(actual)) return actual.some((item) => valuesEqual(item, expected));
  const text = asText(actual);
  const needle = asText(expected);
  return text !== undefined && needle !== undefined && text.includes(needle);
}

/** "", null, [], {} — and a missing field, which the caller passes as undefined. */
export function isEmptyValue(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') return Object.keys(value).length === 0;
  return false;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  const bo = b as Record<string, unknown>;
  const ao = a as Record<string, unknown>;
  return ka.every((k) => Object.hasOwn(bo, k) && deepEqual(ao[k], bo[k]));
}
