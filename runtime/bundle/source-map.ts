/**
 * Just enough of Source Map v3 to map stack frames of a bundled function back to the uploaded
 * files: decode the inline map esbuild appends, then look up generated (line, column) pairs.
 */
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = new Map([...B64].map((c, i) => [c, i]));
const INLINE_PREFIX = '//# sourceMappingURL=data:application/json;base64,';

/** One generated segment: [generatedColumn, sourceIndex, originalLine, originalColumn] (0-based). */
type Segment = [number, number, number, number];

export interface OriginalPosition {
  source: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

export interface SourceMapper {
  /** Maps a 1-based generated line and column; undefined where the map has no entry. */
  lookup(line: number, column: number): OriginalPosition | undefined;
}

function decodeVlq(text: string, start: number, end: number, out: number[]): void {
  let value = 0;
  let shift = 0;
  for (let i = start; i < end; i++) {
    const digit = B64_INDEX.get(text[i] as string);
    if (digit === undefined) throw new Error('invalid VLQ digit in source map');
    value += (digit & 31) << shift;
    if (digit & 32) shift += 5;
    else {
      out.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
}

/** Decodes the `mappings` field into per-line segment lists. */
export function decodeMappings(mappings: string): Segment[][] {
  const lines: Segment[][] = [];
  let source = 0;
  let origLine = 0;
  let origColumn = 0;
  for (const lineText of mappings.split(';')) {
    const segments: Segment[] = [];
    let genColumn = 0;
    for (const seg of lineText.split(',')) {
      if (seg === '') continue;
      const fields: number[] = [];
      decodeVlq(seg, 0, seg.length, fields);
      genColumn += fields[0] ?? 0;
      if (fields.length >= 4) {
        source += fields[1] as number;
        origLine += fields[2] as number;
        origColumn += fields[3] as number;
        segments.push([genColumn, source, origLine, origColumn]);
      }
    }
    lines.push(segments);
  }
  return lines;
}

/** Extracts and parses the inline source map at the end of `code`; undefined if none. */
export function readInlineSourceMap(
  code: string,
): { sources: string[]; mappings: string } | undefined {
  const at = code.lastIndexOf(INLINE_PREFIX);
  if (at < 0) return undefined;
  const end = code.indexOf('\n', at);
  const b64 = code.slice(at + INLINE_PREFIX.length, end < 0 ? code.length : end).trim();
  try {
    const map = JSON.parse(Buffer.from(b64, 'base64').toString('utf8')) as {
      sources?: unknown;
      mappings?: unknown;
    };
    if (!Array.isArray(map.sources) || typeof map.mappings !== 'string') return undefined;
    return { sources: map.sources.map(String), mappings: map.mappings };
  } catch {
    return undefined;
  }
}

/** Builds a mapper from a bundle with an inline source map (lazily decoded on first lookup). */
export function createSourceMapper(code: string): SourceMapper | undefined {
  const map = readInlineSourceMap(code);
  if (map === undefined) return undefined;
  let lines: Segment[][] | undefined;
  return {
    lookup(line, column) {
      lines ??= decodeMappings(map.mappings);
      const segments = lines[line - 1];
      if (segments === undefined || segments.length === 0) return undefined;
      let best: Segment | undefined;
      for (const seg of segments) {
        if (seg[0] <= column - 1) best = seg;
        else break;
      }
      best ??= segments[0];
      if (best === undefined) return undefined;
      return {
        source: map.sources[best[1]] ?? '<unknown>',
        line: best[2] + 1,
        column: best[3] + 1,
      };
    },
  };
}
