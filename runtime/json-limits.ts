/**
 * Nesting and size limits for JSON-like values (pure, iterative: no recursion, so a value of
 * any depth is measured without touching the call stack).
 *
 * Why: V8's structured clone (the executors' IPC with `serialization: 'advanced'`),
 * `JSON.stringify` and any recursive walk over a user's value recurse once per level; a
 * value nested a few thousand levels deep overflows the stack. In Node's IPC deserialiser
 * that RangeError is uncaught and kills the process. Every place where a user's value
 * enters the engine (request bodies, records, invoke data, function results, events) checks
 * it here first, so nothing deeper than these limits reaches a recursive serialiser.
 */

/** Levels of arrays/objects a value may nest where users send it in (bodies, records, invoke data). */
export const MAX_INPUT_DEPTH = 64;
/**
 * Levels a function's result (and an event crossing to or from an executor) may nest: more
 * than inputs, so a function can wrap an event it got in a few levels of its own.
 */
export const MAX_OUTPUT_DEPTH = 128;
/** Default bound on the JSON size of a value checked without a tighter one (characters, approximate). */
export const MAX_JSON_CHARS = 16 * 1024 * 1024;

export interface JsonLimits {
  maxDepth: number;
  /** Approximate JSON text length (characters) the value may reach; Infinity for none. */
  maxChars?: number;
}

export type JsonCheck =
  | { ok: true; depth: number; chars: number }
  | {
      ok: false;
      reason: 'too_deep' | 'too_large';
      /** Where the limit was passed, like `a.b[3]` (at most the first 16 steps). */
      path: string;
      limit: number;
      message: string;
    };

interface Frame {
  value: object;
  depth: number;
  /** How it was reached: kept instead of a path string, built only when a limit is passed. */
  parent: Frame | undefined;
  key: string | number;
}

const SHOWN_PATH_STEPS = 16;

/** The path of a frame, like `a.b[3]`: its first SHOWN_PATH_STEPS steps. */
function pathOf(frame: Frame): string {
  const keys: (string | number)[] = [];
  for (let f: Frame | undefined = frame; f?.parent !== undefined; f = f.parent) keys.push(f.key);
  keys.reverse();
  let path = '';
  for (const key of keys.slice(0, SHOWN_PATH_STEPS)) {
    if (typeof key === 'number') path += `[${key}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(key)) path += `${path === '' ? '' : '.'}${key}`;
    else path += `[${JSON.stringify(key.slice(0, 32))}]`;
  }
  return keys.length > SHOWN_PATH_STEPS ? `${path}…` : path;
}

function scalarChars(value: unknown): number {
  switch (typeof value) {
    case 'string':
      return value.length + 2;
    case 'number':
      return 8;
    case 'boolean':
      return 5;
    default:
      return 4; // null, and what JSON drops or turns into null
  }
}

/**
 * Measures a value's nesting depth (`{}` and `[]` count 1, `[[1]]` 2, a scalar 0) and its
 * approximate JSON length, stopping at the first limit passed. Shared sub-objects are
 * counted each time they are reached, as JSON.stringify would write them; a cycle ends as
 * too deep. Only own enumerable keys are walked (what JSON.stringify writes).
 */
export function checkJson(value: unknown, limits: JsonLimits): JsonCheck {
  const maxChars = limits.maxChars ?? MAX_JSON_CHARS;
  if (value === null || typeof value !== 'object') {
    const chars = scalarChars(value);
    return chars > maxChars ? tooLarge('', maxChars) : { ok: true, depth: 0, chars };
  }
  const stack: Frame[] = [{ value, depth: 1, parent: undefined, key: '' }];
  let deepest = 0;
  let chars = 0;
  while (stack.length > 0) {
    const frame = stack.pop()!;
    if (frame.depth > limits.maxDepth) return tooDeep(pathOf(frame), limits.maxDepth);
    if (frame.depth > deepest) deepest = frame.depth;
    if (Array.isArray(frame.value)) {
      const list = frame.value as unknown[];
      chars += 2 + list.length;
      for (let i = 0; i < list.length; i++) {
        const child = list[i];
        if (child !== null && typeof child === 'object')
          stack.push({ value: child, depth: frame.depth + 1, parent: frame, key: i });
        else chars += scalarChars(child);
      }
    } else {
      const record = frame.value as Record<string, unknown>;
      const keys = Object.keys(record);
      chars += 2 + keys.length;
      for (const key of keys) {
        const child = record[key];
        chars += key.length + 3;
        if (child !== null && typeof child === 'object')
          stack.push({ value: child, depth: frame.depth + 1, parent: frame, key });
        else chars += scalarChars(child);
      }
    }
    if (chars > maxChars) return tooLarge(pathOf(frame), maxChars);
  }
  return { ok: true, depth: deepest, chars };
}

function tooDeep(path: string, limit: number): JsonCheck {
  return {
    ok: false,
    reason: 'too_deep',
    path,
    limit,
    message: `nested more than ${limit} levels deep (at ${path === '' ? 'the top' : path})`,
  };
}

function tooLarge(path: string, limit: number): JsonCheck {
  return {
    ok: false,
    reason: 'too_large',
    path,
    limit,
    message: `over ${limit} characters of JSON`,
  };
}

/**
 * The nesting depth of JSON text, scanned without parsing (strings skipped): for text that
 * is about to be parsed and passed on, e.g. a stored event. Stops counting past `stopAt`.
 */
export function jsonTextDepth(text: string, stopAt = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > stopAt) return deepest;
      }
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return deepest;
}
