/**
 * Finding a rule's or template's field in an event (SPEC §4): the name exactly, then
 * case-insensitively (`event` finds `Event`, since WeChat's casing is inconsistent across
 * message types: MsgId vs MsgID), and dotted paths into objects and arrays
 * (`SendPicsInfo.PicList.0.PicMd5Sum`, also written `PicList[0]`).
 */

/** A field name split once, so matching many events does not re-split it. */
export interface FieldPath {
  /** The field as written; tried first as one key, so a key containing dots still works. */
  whole: string;
  /** The dotted path's segments, or null when the field has a single segment. */
  segments: string[] | null;
}

export type Lookup = { found: true; value: unknown } | { found: false; value: undefined };

const MISSING: Lookup = { found: false, value: undefined };
const INDEX = /^(0|[1-9]\d{0,8})$/;

/** Splits `a.b[0].c` into `['a', 'b', '0', 'c']`; null when a segment is empty (`a..b`, `a.`). */
export function splitFieldPath(field: string): string[] | null {
  const segments = field.replace(/\[(\d+)\]/g, '.$1').split('.');
  return segments.every((s) => s.length > 0) ? segments : null;
}

/** Compiles a field name for lookupPath; a field whose path is malformed is looked up whole. */
export function compileFieldPath(field: string): FieldPath {
  const segments = splitFieldPath(field);
  return { whole: field, segments: segments !== null && segments.length > 1 ? segments : null };
}

/** Finds a field: exactly, then case-insensitively, then along its dotted path. */
export function lookupPath(data: unknown, path: FieldPath): Lookup {
  const direct = child(data, path.whole);
  if (direct.found || path.segments === null) return direct;
  let current: Lookup = { found: true, value: data };
  for (const segment of path.segments) {
    current = child(current.value, segment);
    if (!current.found) return MISSING;
  }
  return current;
}

function child(container: unknown, key: string): Lookup {
  if (Array.isArray(container)) {
    if (!INDEX.test(key)) return MISSING;
    const i = Number(key);
    return i < container.length ? { found: true, value: container[i] } : MISSING;
  }
  if (container === null || typeof container !== 'object') return MISSING;
  const obj = container as Record<string, unknown>;
  // Own properties only: a rule on "constructor" or "__proto__" must not reach the prototype.
  if (Object.hasOwn(obj, key)) return { found: true, value: obj[key] };
  const lower = key.toLowerCase();
  // The first key in the object's own order wins when several differ only by case.
  for (const k of Object.keys(obj)) {
    if (k.toLowerCase() === lower) return { found: true, value: obj[k] };
  }
  return MISSING;
}
