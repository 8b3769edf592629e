import { describe, expect, it } from 'vitest';
import { DEFAULT_STRING_MAX, checkValue, normaliseDate } from '../../../engine/tables/values.ts';
import { decodeValue, encodeValue } from '../../../engine/tables/sqlite/codec.ts';
import type { FieldDef } from '../../../engine/tables/table-store.ts';

const ok = (def: FieldDef, v: unknown) => {
  const r = checkValue(def, v);
  if (!r.ok) throw new Error(r.message);
  return r.value;
};
const kind = (def: FieldDef, v: unknown) => {
  const r = checkValue(def, v);
  return r.ok ? 'ok' : r.kind;
};

describe('checkValue', () => {
  it('integer: safe integers and canonical integer strings only', () => {
    const f: FieldDef = { name: 'n', type: 'integer' };
    expect(ok(f, 5)).toBe(5);
    expect(ok(f, '-12')).toBe(-12);
    expect(ok(f, 3.0)).toBe(3);
    for (const bad of [
      1.5,
      '1.5',
      '01',
      '+1',
      ' 1',
      '',
      'x',
      2 ** 53,
      NaN,
      Infinity,
      true,
      null,
      [1],
    ])
      expect(kind(f, bad), String(bad)).toBe('type');
  });

  it('number: finite numbers and JSON-number strings', () => {
    const f: FieldDef = { name: 'x', type: 'number' };
    expect(ok(f, '1e3')).toBe(1000);
    expect(ok(f, '-0.5')).toBe(-0.5);
    for (const bad of ['0x10', '1,5', 'Infinity', NaN, Infinity, false])
      expect(kind(f, bad), String(bad)).toBe('type');
  });

  it('string: numbers convert; the limit is maxLength or 65536', () => {
    expect(ok({ name: 's', type: 'string' }, 1.25)).toBe('1.25');
    expect(kind({ name: 's', type: 'string' }, 'x'.repeat(DEFAULT_STRING_MAX))).toBe('ok');
    expect(kind({ name: 's', type: 'string' }, 'x'.repeat(DEFAULT_STRING_MAX + 1))).toBe(
      'too_long',
    );
    expect(kind({ name: 's', type: 'string', maxLength: 2 }, 'abc')).toBe('too_long');
    expect(kind({ name: 's', type: 'string' }, true)).toBe('type');
  });

  it('boolean is strict', () => {
    expect(ok({ name: 'b', type: 'boolean' }, false)).toBe(false);
    for (const bad of [0, 1, 'true', 'false'])
      expect(kind({ name: 'b', type: 'boolean' }, bad)).toBe('type');
  });

  it('array items are checked and converted; object must be a plain object', () => {
    expect(ok({ name: 'a', type: 'array', items: 'integer' }, ['1', 2])).toEqual([1, 2]);
    expect(kind({ name: 'a', type: 'array', items: 'integer' }, [1, null])).toBe('type');
    expect(ok({ name: 'a', type: 'array' }, [1, 'x', null, { a: [] }])).toEqual([
      1,
      'x',
      null,
      { a: [] },
    ]);
    expect(kind({ name: 'o', type: 'object' }, [])).toBe('type');
    expect(kind({ name: 'o', type: 'object' }, new Date())).toBe('type');
    expect(ok({ name: 'o', type: 'object' }, { d: undefined, e: 1 })).toEqual({ e: 1 });
    expect(kind({ name: 'o', type: 'object' }, { big: 'x'.repeat(1_048_576) })).toBe('too_long');
  });
});

describe('normaliseDate', () => {
  it('accepts dates and zoned date-times, normalising to UTC with milliseconds', () => {
    expect(normaliseDate('2024-01-02')).toBe('2024-01-02T00:00:00.000Z');
    expect(normaliseDate('2024-01-02T03:04:05+08:00')).toBe('2024-01-01T19:04:05.000Z');
    expect(normaliseDate('2024-01-02 03:04:05+0800')).toBe('2024-01-01T19:04:05.000Z');
    expect(normaliseDate('2019-05-13T14:21:13.066000+08:00')).toBe('2019-05-13T06:21:13.066Z');
    expect(normaliseDate('2024-01-02T03:04Z')).toBe('2024-01-02T03:04:00.000Z');
  });

  it('refuses zone-less times, impossible dates and lost precision', () => {
    for (const bad of [
      '2024-01-02T03:04:05',
      '2024-02-30',
      '2024-13-01',
      '2024-1-1',
      'yesterday',
      '2024-01-02T03:04:05.0001Z',
      '',
    ]) {
      expect(normaliseDate(bad), bad).toBeNull();
    }
  });
});

describe('encodeValue / decodeValue', () => {
  it('round-trips every type through its SQLite form', () => {
    const cases: Array<[FieldDef['type'], unknown]> = [
      ['boolean', true],
      ['boolean', false],
      ['array', [1, { a: 'b' }]],
      ['object', { x: [1] }],
      ['string', 'é'],
      ['integer', 7],
      ['date', '2024-01-01T00:00:00.000Z'],
    ];
    for (const [type, value] of cases)
      expect(decodeValue(type, encodeValue(type, value))).toEqual(value);
    expect(encodeValue('boolean', true)).toBe(1);
    expect(decodeValue('object', null)).toBeNull();
  });
});
