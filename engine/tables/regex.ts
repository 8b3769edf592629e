/**
 * `$regex` support: pattern checking and the SQLite function `cf_regexp(pattern, flags,
 * value)` with a cache of compiled patterns.
 *
 * JavaScript regexes backtrack, and there is no timeout on a match: a pattern like
 * `(a+)+$` can hold the process for minutes on a short string. We refuse the known
 * catastrophic shapes before a query runs (a best-effort static check, documented in
 * docs/tables.md): nested unbounded quantifiers, quantified groups whose alternatives can
 * start with the same character, back-references, and over-long patterns.
 */
import { TableError } from './errors.ts';

export const MAX_PATTERN_LENGTH = 256;
const ALLOWED_FLAGS = /^[imsu]*$/;
const CACHE_SIZE = 256;

function badRegex(message: string, pattern: string): TableError {
  return new TableError(
    'E_TABLE_BAD_REGEX',
    `Invalid $regex ${JSON.stringify(pattern.slice(0, 80))}: ${message}`,
    400,
  );
}

interface Group {
  hasUnbounded: boolean;
  alternatives: string[];
  current: string;
}

function firstChar(alternative: string): string {
  return alternative.startsWith('\\') ? alternative.slice(0, 2) : alternative.slice(0, 1);
}

/** Reads the quantifier at `i`: its length and whether it is unbounded (or large). */
function quantifierAt(p: string, i: number): { length: number; unbounded: boolean } | null {
  const c = p[i];
  let length: number;
  let unbounded = false;
  if (c === '*' || c === '+') {
    length = 1;
    unbounded = true;
  } else if (c === '?') {
    length = 1;
  } else if (c === '{') {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(p.slice(i));
    if (!m) return null;
    length = m[0].length;
    // Open-ended, or a large count: (.*a){12} backtracks like an unbounded repeat.
    unbounded = (m[2] !== undefined && m[3] === '') || Number(m[3] ?? m[1]) > 10;
  } else {
    return null;
  }
  if (p[i + length] === '?' || p[i + length] === '+') length++;
  return { length, unbounded };
}

/** Refuses patterns whose shape is known to backtrack exponentially. */
function checkShape(p: string): void {
  const stack: Group[] = [{ hasUnbounded: false, alternatives: [], current: '' }];
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    const top = stack[stack.length - 1]!;
    if (c === '\\') {
      const next = p[i + 1] ?? '';
      if (/[1-9]/.test(next) || next === 'k')
        throw badRegex('back-references are not supported', p);
      top.current += c + next;
      i++;
      continue;
    }
    if (c === '[') {
      let j = i + 1;
      while (j < p.length && p[j] !== ']') j += p[j] === '\\' ? 2 : 1;
      top.current += p.slice(i, j + 1);
      i = j;
      continue;
    }
    if (c === '(') {
      stack.push({ hasUnbounded: false, alternatives: [], current: '' });
      if (p[i + 1] === '?')
        i += p[i + 2] === '<' && p[i + 3] !== '=' && p[i + 3] !== '!' ? p.indexOf('>', i) - i : 2;
      continue;
    }
    if (c === '|') {
      top.alternatives.push(top.current);
      top.current = '';
      continue;
    }
    if (c === ')') {
      if (stack.length === 1) return; // unbalanced: the RegExp constructor reports it
      const group = stack.pop()!;
      group.alternatives.push(group.current);
      const q = quantifierAt(p, i + 1);
      const parent = stack[stack.length - 1]!;
      if (q?.unbounded) {
        if (group.hasUnbounded)
          throw badRegex('nested unbounded quantifiers (like (a+)+) can take exponential time', p);
        const firsts = group.alternatives.map(firstChar);
        if (new Set(firsts).size < firsts.length || firsts.includes('')) {
          throw badRegex(
            'a repeated group whose alternatives overlap (like (a|ab)*) can take exponential time',
            p,
          );
        }
      }
      parent.hasUnbounded ||= group.hasUnbounded || Boolean(q?.unbounded);
      parent.current += '(g)';
      if (q) i += q.length;
      continue;
    }
    const q = quantifierAt(p, i);
    if (q) {
      top.hasUnbounded ||= q.unbounded;
      i += q.length - 1;
      continue;
    }
    top.current += c;
  }
}

/** Checks a `$regex` pattern and its `$options` flags; returns the flags to use. */
export function checkRegex(pattern: unknown, options: unknown): { pattern: string; flags: string } {
  if (typeof pattern !== 'string')
    throw new TableError('E_TABLE_BAD_REGEX', '$regex takes a string pattern.', 400);
  if (pattern.length > MAX_PATTERN_LENGTH)
    throw badRegex(`patterns are limited to ${MAX_PATTERN_LENGTH} characters`, pattern);
  if (options !== undefined && typeof options !== 'string')
    throw badRegex('$options must be a string of flags', pattern);
  // `g` is meaningless for a yes/no match (and MinCloud's SDK may pass it along): dropped.
  const flags = (options ?? '').replaceAll('g', '');
  if (!ALLOWED_FLAGS.test(flags))
    throw badRegex(`flags may only be i, m, s, u (got ${JSON.stringify(options)})`, pattern);
  try {
    new RegExp(pattern, flags);
  } catch (err) {
    throw badRegex((err as Error).message, pattern);
  }
  checkShape(pattern);
  return { pattern, flags };
}

/** The implementation of SQLite's `cf_regexp(pattern, flags, value)`: 1 on a match, else 0. */
export function createRegexpFunction(): (
  pattern: unknown,
  flags: unknown,
  value: unknown,
) => number {
  const cache = new Map<string, RegExp>();
  return (pattern, flags, value) => {
    if (typeof value !== 'string' || typeof pattern !== 'string' || typeof flags !== 'string')
      return 0;
    const key = `${flags}/${pattern}`;
    let re = cache.get(key);
    if (re) {
      cache.delete(key); // refresh its place: the Map's order is the LRU order
    } else {
      re = new RegExp(pattern, flags);
      if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
    }
    cache.set(key, re);
    return re.test(value) ? 1 : 0;
  };
}
