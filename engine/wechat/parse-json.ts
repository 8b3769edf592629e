import { malformed } from './errors.ts';

const MAX_DEPTH = 20;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

interface ReviverContext {
  source?: string;
}

/**
 * Every number keeps its exact source text (Node 24's JSON.parse source access), so a
 * 64-bit MsgId survives; booleans become "true"/"false" and null "" — the strings the XML
 * form of the same push would give.
 */
function reviver(_key: string, value: unknown, context?: ReviverContext): unknown {
  if (typeof value === 'number') return context?.source ?? String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value === null) return '';
  return value;
}

/**
 * Parses a mini-program JSON push to a plain object whose leaves are all strings. Keys that
 * could pollute prototypes, nesting over 20 levels and non-object roots are refused.
 * Throws E_WECHAT_MALFORMED.
 */
export function parseWechatJson(text: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text, reviver as (this: unknown, key: string, value: unknown) => unknown);
  } catch (err) {
    throw malformed(`invalid JSON: ${(err as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw malformed('the JSON body must be an object');
  }
  checkShape(parsed, 1);
  return parsed as Record<string, unknown>;
}

function checkShape(value: object, depth: number): void {
  if (depth > MAX_DEPTH) throw malformed(`JSON nested deeper than ${MAX_DEPTH} levels`);
  for (const key of Object.keys(value)) {
    if (FORBIDDEN_KEYS.has(key)) throw malformed(`the key "${key}" is refused`);
    const child = (value as Record<string, unknown>)[key];
    if (typeof child === 'object' && child !== null) checkShape(child, depth + 1);
  }
}
