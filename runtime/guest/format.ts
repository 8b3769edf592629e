/**
 * `console.*` argument formatting, in the spirit of Node's util.format: strings as they are,
 * errors by their stack, other values as compact JSON-like text. It must never throw, even
 * on proxies, throwing getters or cycles (those only hurt the guest that made them).
 */
import {
  ArrayIsArray,
  ArrayPrototypeJoin,
  ArrayPrototypePush,
  JSONStringify,
  NativeError,
  NativeString,
  ObjectKeys,
  ObjectPrototypeToString,
} from './intrinsics.ts';

const MAX_DEPTH = 4;
const MAX_ITEMS = 100;

/** Formats console arguments into one line of text. */
export function formatArgs(args: readonly unknown[]): string {
  const parts: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const value = args[i];
    ArrayPrototypePush(parts, typeof value === 'string' ? value : inspect(value, 0, []));
  }
  return ArrayPrototypeJoin(parts, ' ');
}

function inspect(value: unknown, depth: number, seen: unknown[]): string {
  try {
    return inspectUnsafe(value, depth, seen);
  } catch {
    return '[uninspectable]';
  }
}

function inspectUnsafe(value: unknown, depth: number, seen: unknown[]): string {
  switch (typeof value) {
    case 'string':
      return depth === 0 ? value : JSONStringify(value);
    case 'number':
    case 'boolean':
    case 'undefined':
      return NativeString(value);
    case 'bigint':
      return `${NativeString(value)}n`;
    case 'symbol':
      return value.toString();
    case 'function':
      return `[Function: ${(value as { name?: unknown }).name || 'anonymous'}]`;
  }
  if (value === null) return 'null';
  if (value instanceof NativeError) {
    const stack = (value as Error).stack;
    return typeof stack === 'string'
      ? stack
      : `${(value as Error).name}: ${(value as Error).message}`;
  }
  for (let i = 0; i < seen.length; i++) if (seen[i] === value) return '[Circular]';
  if (depth >= MAX_DEPTH) return ArrayIsArray(value) ? '[Array]' : '[Object]';
  const tag = ObjectPrototypeToString(value);
  if (tag === '[object Date]') return (value as Date).toISOString();
  if (tag === '[object RegExp]') return NativeString(value);
  ArrayPrototypePush(seen, value);
  const parts: string[] = [];
  if (ArrayIsArray(value)) {
    const n = value.length < MAX_ITEMS ? value.length : MAX_ITEMS;
    for (let i = 0; i < n; i++) ArrayPrototypePush(parts, inspect(value[i], depth + 1, seen));
    if (value.length > n) ArrayPrototypePush(parts, `... ${value.length - n} more items`);
    seen.length--;
    return `[ ${ArrayPrototypeJoin(parts, ', ')} ]`;
  }
  const keys = ObjectKeys(value as object);
  const n = keys.length < MAX_ITEMS ? keys.length : MAX_ITEMS;
  for (let i = 0; i < n; i++) {
    const key = keys[i] as string;
    ArrayPrototypePush(
      parts,
      `${key}: ${inspect((value as Record<string, unknown>)[key], depth + 1, seen)}`,
    );
  }
  if (keys.length > n) ArrayPrototypePush(parts, `... ${keys.length - n} more keys`);
  seen.length--;
  return parts.length === 0 ? '{}' : `{ ${ArrayPrototypeJoin(parts, ', ')} }`;
}
