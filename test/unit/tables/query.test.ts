import { describe, expect, it } from 'vitest';
import {
  QUERY_LIMITS,
  compileWhere,
  type QueryField,
} from '../../../engine/tables/sqlite/query.ts';

const fields = new Map<string, QueryField>([
  ['id', { type: 'string', column: 'r."id"' }],
  ['name', { type: 'string', column: 'r."name"' }],
  ['n', { type: 'integer', column: 'r."n"' }],
  ['ok', { type: 'boolean', column: 'r."ok"' }],
  ['d', { type: 'date', column: 'r."d"' }],
  ['tags', { type: 'array', items: 'string', column: 'r."tags"' }],
  ['meta', { type: 'object', column: 'r."meta"' }],
]);

const compile = (where: unknown) => compileWhere(where, fields);

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
}

describe('compileWhere', () => {
  it('an absent or empty where matches everything', () => {
    expect(compile(undefined)).toEqual({ sql: '1', params: [] });
    expect(compile({})).toEqual({ sql: '1', params: [] });
  });

  it('puts every value and path in parameters, never in the SQL text', () => {
    const hostile = `x'); DROP TABLE t; --`;
    const c = compile({
      name: hostile,
      'meta.a': { $eq: hostile },
      tags: { $in: [hostile] },
      $or: [{ name: { $regex: hostile.replace('(', '\\(').replace(')', '\\)') } }],
    });
    expect(c.sql).not.toContain('DROP');
    expect(c.sql).not.toContain(`x'`);
    expect(
      c.params.filter((p) => typeof p === 'string' && p.includes('DROP')).length,
    ).toBeGreaterThanOrEqual(3);
    expect(c.sql.split('?').length - 1).toBe(c.params.length);
  });

  it('compiles comparisons with the field’s column and converts operands by type', () => {
    expect(compile({ n: { $gt: '5' } })).toEqual({ sql: 'r."n" > ?', params: [5] });
    expect(compile({ ok: true })).toEqual({ sql: 'r."ok" = ?', params: [1] });
    expect(compile({ name: 7 })).toEqual({ sql: 'r."name" = ?', params: ['7'] });
    expect(compile({ d: { $lt: '2024-01-01' } }).params).toEqual(['2024-01-01T00:00:00.000Z']);
    expect(compile({ name: null })).toEqual({ sql: 'r."name" IS NULL', params: [] });
    expect(compile({ name: { $ne: 'a' } })).toEqual({ sql: 'r."name" IS NOT ?', params: ['a'] });
  });

  it('several operators on one field, and several fields, are ANDed', () => {
    expect(compile({ n: { $gte: 1, $lt: 3 }, name: 'a' }).sql).toBe(
      '((r."n" >= ? AND r."n" < ?) AND r."name" = ?)',
    );
  });

  it('$and / $or with empty lists', () => {
    expect(compile({ $and: [] }).sql).toBe('1');
    expect(compile({ $or: [] }).sql).toBe('0');
    expect(compile({ $or: [{ n: 1 }, { n: 2 }] }).sql).toBe('(r."n" = ? OR r."n" = ?)');
  });

  it('keeps parameters in SQL order for path and list operators', () => {
    const c = compile({ 'meta.a': { $in: ['x'] }, tags: { $all: ['a', 'b'] } });
    expect(c.params).toEqual(['$."a"', '["x"]', '["a","b"]', 2]);
  });

  it('$all with repeated values counts distinct ones; empty $all is true', () => {
    expect(compile({ tags: { $all: ['a', 'a'] } }).params.at(-1)).toBe(1);
    expect(compile({ tags: { $all: [] } }).sql).toBe('1');
    expect(compile({ tags: { $in: [] } }).sql).toContain('EXISTS');
  });

  it('refuses malformed documents with a 400 code', () => {
    const cases: Array<[unknown, string]> = [
      [[], 'E_TABLE_BAD_WHERE'],
      ['name', 'E_TABLE_BAD_WHERE'],
      [{ $and: {} }, 'E_TABLE_BAD_WHERE'],
      [{ $and: [1] }, 'E_TABLE_BAD_WHERE'],
      [{ $where: 'x' }, 'E_TABLE_BAD_WHERE'],
      [{ name: { $eq: 1, other: 2 } }, 'E_TABLE_BAD_WHERE'],
      [{ name: { a: 1 } }, 'E_TABLE_BAD_WHERE'],
      [{ name: { $gt: null } }, 'E_TABLE_BAD_WHERE'],
      [{ ok: { $gt: true } }, 'E_TABLE_BAD_WHERE'],
      [{ n: { $regex: 'a' } }, 'E_TABLE_BAD_WHERE'],
      [{ name: { $has_key: 'a' } }, 'E_TABLE_BAD_WHERE'],
      [{ name: { $isnull: 'yes' } }, 'E_TABLE_BAD_WHERE'],
      [{ 'meta.': 1 }, 'E_TABLE_BAD_WHERE'],
      [{ 'meta.a"b': 1 }, 'E_TABLE_BAD_WHERE'],
      [{ 'name.x': 1 }, 'E_TABLE_BAD_WHERE'],
      [{ meta: { a: 1 } }, 'E_TABLE_BAD_WHERE'],
      [{ tags: { $lt: 'a' } }, 'E_TABLE_BAD_WHERE'],
      [{ missing: 1 }, 'E_TABLE_UNKNOWN_FIELD'],
      [JSON.parse('{"__proto__": {"$eq": 1}}'), 'E_TABLE_UNKNOWN_FIELD'],
      [{ constructor: 1 }, 'E_TABLE_UNKNOWN_FIELD'],
      [{ name: { $regex: '(a+)\\1' } }, 'E_TABLE_BAD_REGEX'],
    ];
    for (const [where, expected] of cases)
      expect(
        code(() => compile(where)),
        JSON.stringify(where),
      ).toBe(expected);
  });

  it('bounds depth, condition count and list length', () => {
    let deep: Record<string, unknown> = { n: 1 };
    for (let i = 0; i <= QUERY_LIMITS.maxDepth; i++) deep = { $and: [deep] };
    expect(code(() => compile(deep))).toBe('E_TABLE_QUERY_TOO_COMPLEX');
    const wide = { $or: Array.from({ length: QUERY_LIMITS.maxListLength + 1 }, () => ({ n: 1 })) };
    expect(code(() => compile(wide))).toBe('E_TABLE_QUERY_TOO_COMPLEX');
    const many = { $or: Array.from({ length: 600 }, () => ({ n: { $gt: 1, $lt: 2 } })) };
    expect(code(() => compile(many))).toBe('E_TABLE_QUERY_TOO_COMPLEX');
    expect(code(() => compile({ n: { $in: Array.from({ length: 1001 }, (_, i) => i) } }))).toBe(
      'E_TABLE_QUERY_TOO_COMPLEX',
    );
    expect(
      code(() => compile({ n: { $in: Array.from({ length: 1000 }, (_, i) => i) } })),
    ).toBeUndefined();
  });
});
