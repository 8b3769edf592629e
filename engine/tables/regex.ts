/**
 * `$regex` support: pattern checking and the SQLite function `cf_regexp(pattern, flags,
 * value)` with a cache of compiled patterns.
 *
 * JavaScript regexes backtrack, and there is no timeout on a match: a pattern like
 * `(a+)+$` can hold the process for minutes on a short string, and no static check of a
 * pattern's shape catches every such case. So patterns are matched by the linear-time
 * matcher (engine/limits/linear-regex.ts), in the engine and in the executors alike; what it
 * cannot run (back-references, lookaround, very large counted repeats) is refused before
 * the query runs, saying why.
 */
import { compileLinearRegex, type LinearRegex } from '../limits/linear-regex.ts';
import { TableError } from './errors.ts';

export const MAX_PATTERN_LENGTH = 256;
const ALLOWED_FLAGS = /^[imsu]*$/;
const CACHE_SIZE = 256;

function badRegex(message: string, pattern: string): TableError {
  return new TableError(
    'E_TABLE_BAD_REGEX',
    `Invalid $regex ${JSON.stringify(pattern.slice(0, 80))}: ${message}`,
  );
}

/** Checks a `$regex` pattern and its `$options` flags; returns the flags to use. */
export function checkRegex(pattern: unknown, options: unknown): { pattern: string; flags: string } {
  if (typeof pattern !== 'string')
    throw new TableError('E_TABLE_BAD_REGEX', '$regex takes a string pattern.');
  if (pattern.length > MAX_PATTERN_LENGTH)
    throw badRegex(`patterns are limited to ${MAX_PATTERN_LENGTH} characters`, pattern);
  if (options !== undefined && typeof options !== 'string')
    throw badRegex('$options must be a string of flags', pattern);
  // `g` is meaningless for a yes/no match (and MinCloud's SDK may pass it along): dropped.
  const flags = (options ?? '').replaceAll('g', '');
  if (!ALLOWED_FLAGS.test(flags))
    throw badRegex(`flags may only be i, m, s, u (got ${JSON.stringify(options)})`, pattern);
  const compiled = compileLinearRegex(pattern, flags);
  if (!compiled.ok) throw badRegex(compiled.reason, pattern);
  return { pattern, flags };
}

/** The implementation of SQLite's `cf_regexp(pattern, flags, value)`: 1 on a match, else 0. */
export function createRegexpFunction(): (
  pattern: unknown,
  flags: unknown,
  value: unknown,
) => number {
  const cache = new Map<string, LinearRegex | null>();
  return (pattern, flags, value) => {
    if (typeof value !== 'string' || typeof pattern !== 'string' || typeof flags !== 'string')
      return 0;
    const key = `${flags}/${pattern}`;
    let re = cache.get(key);
    if (re !== undefined) {
      cache.delete(key); // refresh its place: the Map's order is the LRU order
    } else {
      // Checked when the query was compiled; a pattern that reaches here unchecked and
      // cannot be run matches nothing (null is cached too).
      const compiled = compileLinearRegex(pattern, flags);
      re = compiled.ok ? compiled.regex : null;
      if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
    }
    cache.set(key, re);
    return re?.test(value) ? 1 : 0;
  };
}
