/**
 * The `regex` op's value: a pattern (`"^hello"`) or a JavaScript literal with flags
 * (`"/^hello/i"`). Flags g, y and d are refused: g and y make RegExp.test stateful
 * (lastIndex), so the same event could match once and not the next time.
 */

const LITERAL = /^\/(.+)\/([a-z]*)$/s;
const ALLOWED_FLAGS = /^[imsuv]*$/;

export type RegexResult = { ok: true; regex: RegExp } | { ok: false; reason: string };

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
      reason: `flags "${flags}" are not allowed; use only i, m, s, u or v (g, y and d make matching stateful)`,
    };
  }
  try {
    return { ok: true, regex: new RegExp(source, flags) };
  } catch (err) {
    return { ok: false, reason: `${(err as Error).message}; fix the pattern` };
  }
}
