import { describe, expect, it } from 'vitest';
import {
  createSourceMapper,
  decodeMappings,
  readInlineSourceMap,
} from '../../../runtime/bundle/source-map.ts';
import { mapStack } from '../../../runtime/bundle/stack-mapper.ts';

function inline(map: object): string {
  return `//# sourceMappingURL=data:application/json;base64,${Buffer.from(JSON.stringify(map)).toString('base64')}\n`;
}

describe('decodeMappings', () => {
  it('decodes VLQ segments with relative fields across lines', () => {
    // "AAAA" = [0,0,0,0]; "IAAI" = [4,0,0,4]; ";AACA" next line: source line +1.
    expect(decodeMappings('AAAA,IAAI;AACA')).toEqual([
      [
        [0, 0, 0, 0],
        [4, 0, 0, 4],
      ],
      [[0, 0, 1, 4]],
    ]);
  });

  it('decodes negative and multi-digit values', () => {
    // "gBAAgB" = [16, 0, 0, 16]; ";AAhBD" → source line -16 +... (relative)
    const lines = decodeMappings('gBAAgB;AAhBD');
    expect(lines[0]).toEqual([[16, 0, 0, 16]]);
    expect(lines[1]?.[0]?.[2]).toBe(-16);
  });

  it('rejects garbage', () => {
    expect(() => decodeMappings('A!A')).toThrow(/VLQ/);
  });
});

describe('readInlineSourceMap and createSourceMapper', () => {
  const code = `line1\nline2\n${inline({ version: 3, sources: ['src/a.ts'], mappings: ';AAAA,IAAI;AACA' })}`;

  it('reads the inline map at the end of a bundle', () => {
    expect(readInlineSourceMap(code)).toEqual({
      sources: ['src/a.ts'],
      mappings: ';AAAA,IAAI;AACA',
    });
    expect(readInlineSourceMap('no map')).toBeUndefined();
    expect(
      readInlineSourceMap('//# sourceMappingURL=data:application/json;base64,!!!'),
    ).toBeUndefined();
  });

  it('maps to the nearest segment at or before the column (1-based both ways)', () => {
    const mapper = createSourceMapper(code);
    expect(mapper?.lookup(2, 1)).toEqual({ source: 'src/a.ts', line: 1, column: 1 });
    expect(mapper?.lookup(2, 7)).toEqual({ source: 'src/a.ts', line: 1, column: 5 });
    expect(mapper?.lookup(3, 1)).toEqual({ source: 'src/a.ts', line: 2, column: 5 });
    expect(mapper?.lookup(1, 1)).toBeUndefined();
    expect(mapper?.lookup(99, 1)).toBeUndefined();
  });
});

describe('mapStack', () => {
  const mapper = {
    lookup: (line: number, column: number) => ({ source: 'user.js', line: line + 100, column }),
  };

  it('maps bundle frames, keeps others and drops prelude frames', () => {
    const stack = [
      'Error: x',
      '    at main (fn@1.bundle.js:3:9)',
      '    at fn@1.bundle.js:4:1',
      '    at run (cloudfn:prelude:1:2000)',
      '    at other (elsewhere.js:1:1)',
    ].join('\n');
    expect(mapStack(stack, 'fn@1.bundle.js', mapper)).toBe(
      [
        'Error: x',
        '    at main (user.js:103:9)',
        '    at user.js:104:1',
        '    at other (elsewhere.js:1:1)',
      ].join('\n'),
    );
  });

  it('leaves frames alone without a mapper', () => {
    expect(mapStack('E\n    at f (b.js:1:1)', 'b.js', undefined)).toBe('E\n    at f (b.js:1:1)');
  });
});
