/**
 * Assignments to a `const`. Node accepts them at load time and throws a TypeError only when
 * one runs; esbuild, when bundling, refuses the whole build. Real MinCloud functions carry
 * such lines on paths that never run, so a deploy must not fail on them: each assignment
 * target is rewritten into a call that throws Node's TypeError when (and only when) the
 * assignment is evaluated, and the build is tried again.
 */

/** One refused assignment, where esbuild reported it (1-based line, 0-based byte column). */
export interface ConstAssignment {
  name: string;
  line: number;
  column: number;
}

const GUARD = '__cloudfnAssignToConstant';
const MESSAGE = /^Cannot assign to "([^"]+)" because it is a constant$/;

/** The assignment esbuild's error describes, or undefined for any other error. */
export function constAssignmentOf(error: {
  text: string;
  location: { line: number; column: number } | null;
}): ConstAssignment | undefined {
  const match = MESSAGE.exec(error.text);
  if (!match || error.location === null) return undefined;
  return { name: match[1]!, line: error.location.line, column: error.location.column };
}

/**
 * `text` with each assignment target replaced by `__cloudfnAssignToConstant("x").value` and the
 * throwing helper appended (a hoisted function declaration, so line numbers do not move).
 * Undefined when a reported site does not hold the name (the text changed underneath).
 */
export function guardConstAssignments(
  text: string,
  sites: readonly ConstAssignment[],
): string | undefined {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const offsets: Array<{ at: number; name: string }> = [];
  for (const site of sites) {
    const start = lineStarts[site.line - 1];
    if (start === undefined) return undefined;
    const end = text.indexOf('\n', start);
    const lineText = text.slice(start, end === -1 ? text.length : end);
    // esbuild's columns count UTF-8 bytes; JavaScript strings count UTF-16 units.
    const before = Buffer.from(lineText, 'utf8').subarray(0, site.column).toString('utf8');
    const at = start + before.length;
    if (text.slice(at, at + site.name.length) !== site.name) return undefined;
    offsets.push({ at, name: site.name });
  }
  offsets.sort((a, b) => b.at - a.at);
  let out = text;
  let last = Number.POSITIVE_INFINITY;
  for (const { at, name } of offsets) {
    if (at === last) continue;
    last = at;
    out = `${out.slice(0, at)}${GUARD}(${JSON.stringify(name)}).value${out.slice(at + name.length)}`;
  }
  return `${out}\n;function ${GUARD}(name) { throw new TypeError('Assignment to constant variable "' + name + '".'); }\n`;
}
