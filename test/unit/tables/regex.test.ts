import { describe, expect, it } from 'vitest';
import { checkRegex, createRegexpFunction } from '../../../engine/tables/regex.ts';

const refused = (p: string, flags?: string) => {
  try {
    checkRegex(p, flags);
    return false;
  } catch (err) {
    return (err as { code: string }).code === 'E_TABLE_BAD_REGEX';
  }
};

describe('checkRegex', () => {
  it('accepts ordinary patterns and the flags i m s u (g is dropped)', () => {
    for (const p of [
      '^abc$',
      'a+b*c?',
      '(foo|bar)+',
      '[a-z]+@[a-z]+\\.com',
      '(?:ab)+',
      '\\d{3}-\\d{4}',
      '(?<year>\\d{4})',
      'a{2,5}',
      '(a|b|c)*',
    ]) {
      expect(refused(p), p).toBe(false);
    }
    expect(checkRegex('a', 'gi').flags).toBe('i');
    expect(checkRegex('a', 'imsu').flags).toBe('imsu');
  });

  it('accepts shapes that backtrack catastrophically in JavaScript: the matcher is linear', () => {
    for (const p of ['(a+)+', '(a*)*', '((ab)*)+', '(a|a)*', '(a|ab)+', '(|a)*', '(.*,){11}x']) {
      expect(refused(p), p).toBe(false);
    }
  });

  it('refuses back-references, lookaround, huge repeats, bad flags and syntax errors', () => {
    for (const p of [
      '(a)\\1',
      '(?<x>a)\\k<x>',
      '(?=a)a',
      '(?<!a)b',
      '\\w{1000}',
      '(',
      'x'.repeat(257),
    ]) {
      expect(refused(p), p).toBe(true);
    }
    expect(refused('a', 'y')).toBe(true);
    expect(refused('a', 'ii')).toBe(true);
  });

  it('the SQLite function matches with a cache and treats non-strings as no match', () => {
    const fn = createRegexpFunction();
    expect(fn('^a', 'i', 'ABC')).toBe(1);
    expect(fn('^a', '', 'ABC')).toBe(0);
    expect(fn('^a', '', null)).toBe(0);
    for (let i = 0; i < 300; i++) expect(fn(`^x${i}$`, '', `x${i}`)).toBe(1);
  });
});
