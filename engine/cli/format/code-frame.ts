/**
 * A code frame under a build error, as esbuild and Babel print them: two lines of context
 * either side, the failing line marked with ">" and a caret under the column (1-based line,
 * 0-based column, as esbuild reports them).
 */
export function codeFrame(source: string, line: number, column: number, context = 2): string {
  const lines = source.split(/\r?\n/);
  if (line < 1 || line > lines.length) return '';
  const first = Math.max(1, line - context);
  const last = Math.min(lines.length, line + context);
  const gutter = String(last).length;
  const out: string[] = [];
  for (let n = first; n <= last; n++) {
    const text = lines[n - 1]!.replace(/\t/g, '  ');
    out.push(`${n === line ? '>' : ' '} ${String(n).padStart(gutter)} | ${text}`.trimEnd());
    if (n === line) {
      const before = lines[n - 1]!.slice(0, Math.max(0, column)).replace(/\t/g, '  ');
      out.push(`  ${' '.repeat(gutter)} | ${' '.repeat(before.length)}^`);
    }
  }
  return out.join('\n');
}
