import { describe, expect, it } from 'vitest';
import { placeOf, selfTimes } from '../../../bench/lib/profile-top.ts';

describe('profile-top', () => {
  it('sums self time per function and per place from the samples and their time deltas', () => {
    const frame = (functionName: string, url: string, lineNumber = 0) => ({
      functionName,
      url,
      lineNumber,
    });
    const profile = {
      nodes: [
        { id: 1, callFrame: frame('(root)', ''), children: [2, 3, 4] },
        { id: 2, callFrame: frame('parse', 'file:///r/node_modules/fast-xml-parser/src/x.js', 9) },
        { id: 3, callFrame: frame('accept', 'file:///r/engine/receiver/group-commit.ts', 41) },
        { id: 4, callFrame: frame('(garbage collector)', '') },
      ],
      samples: [2, 3, 2, 4, 2],
      timeDeltas: [1000, 2000, 1000, 5000, 1000],
    };
    const { functions, places } = selfTimes(profile);
    expect(functions.map((f) => [f.name, f.ms])).toEqual([
      ['(garbage collector)', 5],
      ['parse fast-xml-parser/src/x.js:10', 3],
      ['accept engine/receiver/group-commit.ts:42', 2],
    ]);
    expect(places.map((p) => [p.name, p.share])).toEqual([
      ['(garbage collector)', 0.5],
      ['pkg:fast-xml-parser', 0.3],
      ['engine/receiver', 0.2],
    ]);
  });

  it('names where code lives: a package, a repo folder, Node itself', () => {
    expect(placeOf('file:///x/node_modules/@koa/router/lib/a.js', 'f')).toBe('pkg:@koa/router');
    expect(placeOf('node:internal/streams/readable', 'f')).toBe('node:internal');
    expect(placeOf('file:///x/runtime/executor/run.ts', 'f')).toBe('runtime/executor');
    expect(placeOf('', '(idle)')).toBe('(idle)');
  });
});
