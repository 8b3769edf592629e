/**
 * The one matcher for user-supplied regular expressions (trigger `regex` rules, the tables'
 * `$regex` and `matches`): RE2's linear-time automata (re2js, a pure-JavaScript port of RE2),
 * never V8's backtracking engine, which can take exponential time on patterns like `(a+)+$`
 * and has no timeout. Matching time grows linearly with the text, whatever the pattern.
 *
 * Why not V8's own linear engine (`--enable-experimental-regexp-engine`, flag `l`): on
 * Node 24 it refuses the `i` and `u` flags and any counted repeat like `{2,10}`, so most
 * real patterns could not be used. re2js needs no native build and runs the same in the
 * main process and the executors (where SQLite's REGEXP function is called).
 *
 * Patterns are written and checked as JavaScript regexes (the syntax users know), then
 * translated. What needs backtracking (back-references, lookahead, lookbehind) is refused
 * with the reason; so are patterns whose automaton would be large (a big counted repeat),
 * since matching costs the automaton's size per character. docs/tables.md and
 * docs/triggers.md list the small differences from JavaScript semantics.
 */
import { RE2JS } from 're2js';

/** JavaScript flags the matcher supports: i, m, s; u is accepted (RE2 always reads code points). */
export const LINEAR_FLAGS = 'imsu';
/**
 * Instructions of the compiled automaton at most: the cost of matching one character. A
 * pattern like `\w{1000}` compiles to about 1000 and runs ≈ 100 times slower per character
 * than a plain one; 500 still allows `\d{1,300}` and every usual validation pattern.
 */
export const MAX_PROGRAM_SIZE = 500;

export interface LinearRegex {
  readonly source: string;
  readonly flags: string;
  /** Whether the pattern matches anywhere in the text (like RegExp.prototype.test without g/y). */
  test(text: string): boolean;
}

export type LinearRegexResult = { ok: true; regex: LinearRegex } | { ok: false; reason: string };

function re2Flags(flags: string): number {
  let out = 0;
  if (flags.includes('i')) out |= RE2JS.CASE_INSENSITIVE;
  if (flags.includes('m')) out |= RE2JS.MULTILINE;
  if (flags.includes('s')) out |= RE2JS.DOTALL;
  return out;
}

/** Instructions of the compiled program (re2js keeps it on an internal field), if it can be read. */
function programSize(compiled: RE2JS): number | undefined {
  const prog: unknown = (compiled.re2Input as { prog?: unknown }).prog;
  if (typeof prog !== 'object' || prog === null) return undefined;
  const numInst = (prog as { numInst?: unknown }).numInst;
  return typeof numInst === 'function' ? Number(numInst.call(prog)) : undefined;
}

const BACK_REFERENCE =
  'back-references (\\1, \\k<name>) need backtracking, which the linear-time matcher does not do';
/**
 * JavaScript's `\s` (WhiteSpace and LineTerminator): RE2's is ASCII only, and WeChat text
 * often holds U+3000, the ideographic space. Written in JavaScript escapes for translation.
 */
const JS_SPACE =
  '\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff';
const PROPERTY_PREFIX = /^[pP]\{(?:Script|sc|Script_Extensions|scx|General_Category|gc)=/;

/**
 * Rewrites the JavaScript spellings RE2 reads differently: `\s` and `\S` (Unicode spaces), `.`
 * (which stops at \r, U+2028 and U+2029 too),
 * `[\b]` (a backspace) and `\p{Script=Han}` (RE2: `\p{Han}`); finds back-references, which re2js's translation would
 * otherwise turn into literal text. Returns the rewritten source, or why it is refused.
 */
function prepare(
  source: string,
  flags: string,
): { ok: true; source: string } | { ok: false; reason: string } {
  let out = '';
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\') {
      const next = source[i + 1] ?? '';
      if (/[1-9]/.test(next) || (next === 'k' && source[i + 2] === '<'))
        return { ok: false, reason: BACK_REFERENCE };
      if (inClass && next === 'b') {
        out += '\\x08';
        i++;
        continue;
      }
      // \S inside a class cannot be spelled out (a class cannot hold a negated class): it
      // keeps RE2's meaning there, documented.
      if (next === 's' || (next === 'S' && !inClass)) {
        out += inClass ? JS_SPACE : next === 's' ? `[${JS_SPACE}]` : `[^${JS_SPACE}]`;
        i++;
        continue;
      }
      const property = PROPERTY_PREFIX.exec(source.slice(i + 1, i + 24));
      if (property) {
        out += `\\${next}{`;
        i += property[0].length;
        continue;
      }
      out += c + next;
      i++;
      continue;
    }
    if (c === '.' && !inClass && !flags.includes('s')) {
      // JavaScript's `.` stops at every line terminator, RE2's only at \n.
      out += '[^\\n\\r\\u2028\\u2029]';
      continue;
    }
    if (c === '[' && !inClass) inClass = true;
    else if (c === ']' && inClass) inClass = false;
    out += c;
  }
  return { ok: true, source: out };
}

/**
 * A lower bound of the automaton's size, read from the pattern without compiling it: every
 * atom (a character, an escape, a class) is at least one step, a counted repeat copies what
 * it repeats, nested repeats multiply. Compiling first would cost RE2 up to a few hundred ms
 * for a 256-character pattern like `(((\w{5}){5}){5}){5}` repeated, only to refuse it.
 */
function minimumSteps(source: string): number {
  const stack: { total: number; last: number }[] = [{ total: 0, last: 0 }];
  const atom = (weight: number) => {
    const top = stack[stack.length - 1]!;
    top.total += weight;
    top.last = weight;
  };
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    const top = stack[stack.length - 1]!;
    if (c === '\\') {
      i++;
      atom(1);
    } else if (c === '[') {
      for (i++; i < source.length && source[i] !== ']'; i++) if (source[i] === '\\') i++;
      atom(1);
    } else if (c === '(') {
      stack.push({ total: 0, last: 0 });
    } else if (c === ')') {
      if (stack.length > 1) atom(stack.pop()!.total);
    } else if (c === '{') {
      const repeat = /^\{(\d+)(?:,(\d*))?\}/.exec(source.slice(i, i + 24));
      if (repeat) {
        const times = Math.max(1, Number(repeat[2] || repeat[1]));
        top.total += top.last * (times - 1);
        top.last *= times;
        i += repeat[0].length - 1;
      } else atom(1);
    } else if (!'|*+?^$'.includes(c)) {
      atom(1);
    }
    if (top.total > MAX_PROGRAM_SIZE) return top.total;
  }
  return stack.reduce((sum, frame) => sum + frame.total, 0);
}

function tooLarge(steps: string): string {
  return `the pattern is too large for the linear-time matcher (${steps} steps, at most ${MAX_PROGRAM_SIZE}): use smaller counted repeats`;
}

function explain(message: string): string {
  if (/invalid character class range: `\\[pP]/.test(message))
    return `${message.replace(/^error parsing regexp: /, '')}: use a script (\\p{Han}) or a general category (\\p{L}, \\p{Lu})`;
  if (/\(\?[=!]|\(\?<[=!]|invalid named capture|unsupported Perl syntax/.test(message))
    return 'lookahead and lookbehind ((?=…), (?!…), (?<=…), (?<!…)) need backtracking, which the linear-time matcher does not do';
  if (/repeat count|too large|expression too large/.test(message))
    return 'counted repeats are limited to 1000 (and nested ones to 1000 in all)';
  return message.replace(/^error parsing regexp: /, '');
}

/**
 * Compiles a JavaScript-syntax pattern with JavaScript flags (only i, m, s, u) for the
 * linear-time matcher, or says why it cannot be used.
 */
export function compileLinearRegex(source: string, flags = ''): LinearRegexResult {
  for (const flag of flags) {
    if (!LINEAR_FLAGS.includes(flag))
      return { ok: false, reason: `flag "${flag}" is not supported; use only i, m, s, u` };
  }
  try {
    // The JavaScript syntax check first: what users write is a JavaScript regex, and RE2
    // would accept some things JavaScript does not ((?P<n>…), \z, [[:alpha:]]). Compiling
    // a RegExp runs nothing, so it is safe for any pattern.
    new RegExp(source, flags);
  } catch (err) {
    return { ok: false, reason: (err as Error).message };
  }
  const prepared = prepare(source, flags);
  if (!prepared.ok) return prepared;
  if (minimumSteps(source) > MAX_PROGRAM_SIZE)
    return { ok: false, reason: tooLarge(`over ${MAX_PROGRAM_SIZE}`) };
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(RE2JS.translateRegExp(prepared.source), re2Flags(flags));
  } catch (err) {
    return { ok: false, reason: explain((err as Error).message) };
  }
  const size = programSize(compiled);
  if (size !== undefined && size > MAX_PROGRAM_SIZE)
    return { ok: false, reason: tooLarge(String(size)) };
  return {
    ok: true,
    regex: { source, flags, test: (text: string) => compiled.test(text) },
  };
}
