/**
 * The `regex` op's value: a pattern (`"^hello"`) or a JavaScript literal with flags
 * (`"/^hello/i"`). Flags g, y and d are refused: g and y make RegExp.test stateful
 * (lastIndex), so the same event could match once and not the next time; v's set notation
 * is not supported by the matcher.
 *
 * Rules run on the engine's main thread for every push, so they match with the linear-time
 * matcher (engine/limits/linear-regex.ts), never with a backtracking RegExp: `^(\w+\s?)+$`
 * against a chat message must not stall the receiver. Patterns it cannot run (back-
 * references, lookaround, very large counted repeats) are refused when the trigger is saved.
 */
import { compileLinearRegex, type LinearRegex } from '../limits/linear-regex.ts';

const LITERAL = /^\/(.+)\/([a-z]*)$/s;
const ALLOWED_FLAGS = /^[imsu]*$/;

export type RegexResult = { ok: true; regex: LinearRegex } | { ok: false; reason: string };

/** Compiles a rule's regex value, or says why it cannot be compiled. */
export function compileRuleRegex(value: unknown): RegexResult {
  if (typeof value !== 'string' || value.length === 0) {
    return {
      ok: false,
      reason: 'a regex rule needs a non-empty string value such as "^hello" or "/^hello/i"',
    };
  }
  const literal = LITERAL.exec(value);
  const source = literal ? literal[1]! : value;
  const flags = literal ? literal[2]! : '';
  if (!ALLOWED_FLAGS.test(flags)) {
    return {
      ok: false,
      reason: `flags "${flags}" are not allowed; use only i, m, s or u (g, y and d make matching stateful; v is not supported)`,
    };
  }
  const compiled = compileLinearRegex(source, flags);
  return compiled.ok ? compiled : { ok: false, reason: `${compiled.reason}; fix the pattern` };
}
