import { describe, expect, it } from 'vitest';
import { checkJson, jsonTextDepth } from '../../../runtime/json-limits.ts';
import { assertJsonWithin } from '../../../engine/limits/errors.ts';

function nested(depth: number, leaf: unknown = 1): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { a: value };
  return value;
}

describe('checkJson', () => {
  it('measures depth: scalars 0, {} and [] 1, each level one more', () => {
    expect(checkJson(1, { maxDepth: 0 })).toMatchObject({ ok: true, depth: 0 });
    expect(checkJson({}, { maxDepth: 1 })).toMatchObject({ ok: true, depth: 1 });
    expect(checkJson({ a: [1, { b: 2 }] }, { maxDepth: 3 })).toMatchObject({ ok: true, depth: 3 });
    expect(checkJson({ a: [1, { b: 2 }] }, { maxDepth: 2 })).toMatchObject({
      ok: false,
      reason: 'too_deep',
      path: 'a[1]',
    });
  });

  it('walks a value far deeper than the call stack allows, without recursion', () => {
    const deep = nested(1_000_000);
    expect(() => JSON.stringify(deep)).toThrow(RangeError);
    const check = checkJson(deep, { maxDepth: 64 });
    expect(check).toMatchObject({ ok: false, reason: 'too_deep', limit: 64 });
    if (!check.ok) expect(check.path.endsWith('…')).toBe(true);
    expect(checkJson(nested(2000), { maxDepth: 5000 })).toMatchObject({ ok: true, depth: 2000 });
  });

  it('ends on a cycle as too deep', () => {
    const a: Record<string, unknown> = {};
    a.self = a;
    expect(checkJson(a, { maxDepth: 64 })).toMatchObject({ ok: false, reason: 'too_deep' });
  });

  it('counts shared sub-objects each time, as JSON.stringify would write them', () => {
    let value: unknown = 'x'.repeat(100);
    for (let i = 0; i < 30; i++) value = [value, value]; // 2^30 leaves, shallow
    expect(checkJson(value, { maxDepth: 64, maxChars: 1_000_000 })).toMatchObject({
      ok: false,
      reason: 'too_large',
    });
  });

  it('approximates the JSON length', () => {
    const value = { name: 'x'.repeat(1000), list: [1, 2, 3], ok: true, none: null };
    const check = checkJson(value, { maxDepth: 4 });
    expect(check.ok).toBe(true);
    if (check.ok) {
      const exact = JSON.stringify(value).length;
      expect(check.chars).toBeGreaterThan(exact * 0.9);
      expect(check.chars).toBeLessThan(exact * 1.2);
    }
  });
});

describe('jsonTextDepth', () => {
  it('counts brackets outside strings', () => {
    expect(jsonTextDepth('1')).toBe(0);
    expect(jsonTextDepth('{"a":[1,{"b":"[[[[\\"{{"}]}')).toBe(3);
    expect(jsonTextDepth('['.repeat(5000) + ']'.repeat(5000), 64)).toBe(65);
  });
});

describe('assertJsonWithin', () => {
  it('throws E_JSON_TOO_DEEP (400) naming what and where', () => {
    try {
      assertJsonWithin({ a: nested(100) }, 'The request body');
      expect.unreachable();
    } catch (e) {
      expect(e).toMatchObject({ code: 'E_JSON_TOO_DEEP', status: 400, details: { limit: 64 } });
      expect((e as Error).message).toMatch(/^The request body is nested more than 64 levels/);
    }
    expect(() => assertJsonWithin(nested(60), 'x')).not.toThrow();
  });

  it('throws E_JSON_TOO_LARGE (413) past a size', () => {
    expect(() => assertJsonWithin(['x'.repeat(100)], 'x', { maxDepth: 4, maxChars: 50 })).toThrow(
      expect.objectContaining({ code: 'E_JSON_TOO_LARGE', status: 413 }),
    );
  });
});
