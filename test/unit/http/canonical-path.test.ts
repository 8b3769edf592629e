// pathFault answers plain spellings by one regular expression; it must say what the full
// rules say for every path, plain or not.
import { describe, expect, it } from 'vitest';
import { pathFault, pathFaultFully } from '../../../engine/http/canonical-path.ts';

// Characters that make or break each rule: separators, dots, escapes, ones never allowed.
const ALPHABET = [
  '/',
  '/',
  '/',
  '.',
  '.',
  'a',
  'Z',
  '0',
  '-',
  '~',
  ':',
  '@',
  '%',
  '2',
  'F',
  '\\',
  ' ',
  '?',
  'é',
];

function* generatedPaths(count: number): Generator<string> {
  let seed = 19;
  const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31);
  for (let i = 0; i < count; i++) {
    let path = next() % 5 === 0 ? '' : '/';
    const length = next() % 12;
    for (let j = 0; j < length; j++) path += ALPHABET[next() % ALPHABET.length];
    yield path;
  }
}

describe('pathFault', () => {
  it('agrees with the full rules on generated paths', () => {
    let plain = 0;
    for (const path of generatedPaths(50_000)) {
      const fault = pathFault(path);
      expect([path, fault]).toEqual([path, pathFaultFully(path)]);
      if (fault === undefined) plain++;
    }
    expect(plain).toBeGreaterThan(1000);
  });

  it('agrees on the spellings of real routes and their near misses', () => {
    for (const path of [
      '/',
      '/wechat/wx2c2769f8efd9abc2',
      '/healthz',
      '/api/v1/functions/keep',
      '/console/assets/main-ZTQ2YCYP.js',
      '/.well-known',
      '/a/..b/c.',
      '/a/./b',
      '/a/../b',
      '/a/.',
      '/a/..',
      '/a//b',
      '/a/',
      'a/b',
      '',
      '/%61pi',
      '/a%2Fb',
      '/a%25b',
    ]) {
      expect([path, pathFault(path)]).toEqual([path, pathFaultFully(path)]);
    }
  });
});
