/** A Babel-style code frame around one position of a source text (1-based line and column). */
export function codeFrame(source: string, line: number, column: number, context = 2): string {
  const lines = source.split(/\r\n|\r|\n/);
  const first = Math.max(1, line - context);
  const last = Math.min(lines.length, line + context);
  const width = String(last).length;
  const out: string[] = [];
  for (let n = first; n <= last; n++) {
    const text = lines[n - 1] ?? '';
    const gutter = String(n).padStart(width);
    out.push(`${n === line ? '>' : ' '} ${gutter} | ${text}`);
    if (n === line) {
      // Keep tabs so the caret lines up under the offending character.
      const lead = text.slice(0, Math.max(0, column - 1)).replace(/[^\t]/g, ' ');
      out.push(`  ${' '.repeat(width)} | ${lead}^`);
    }
  }
  return out.join('\n');
}
