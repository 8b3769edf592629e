/**
 * Rewrites a V8 stack string from an isolate: frames of the function's bundle are mapped to
 * the uploaded files and lines, frames of the prelude are dropped (they are ours, not the
 * user's, and name nothing useful to them).
 */
import type { SourceMapper } from './source-map.ts';

export const PRELUDE_FILENAME = 'cloudfn:prelude';

const FRAME = /^(\s+at (?:.*? \()?)(.*?):(\d+):(\d+)(\)?)$/;

/** Maps every frame whose file is `bundleFile` through `mapper`. */
export function mapStack(
  stack: string,
  bundleFile: string,
  mapper: SourceMapper | undefined,
): string {
  const out: string[] = [];
  for (const line of stack.split('\n')) {
    const m = FRAME.exec(line);
    if (m === null) {
      out.push(line);
      continue;
    }
    const [, head, file, l, c, tail] = m as unknown as [
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    if (file === PRELUDE_FILENAME) continue;
    if (file !== bundleFile || mapper === undefined) {
      out.push(line);
      continue;
    }
    const pos = mapper.lookup(Number(l), Number(c));
    out.push(pos === undefined ? line : `${head}${pos.source}:${pos.line}:${pos.column}${tail}`);
  }
  return out.join('\n');
}
