import { describe, expect, it } from 'vitest';
import { csvHeader, csvRows } from '../../../engine/tables/csv.ts';
import { resolveKeys, resolveLimit } from '../../../engine/tables/find-options.ts';
import { quoteIdent } from '../../../engine/tables/names.ts';
import { compileOrderBy, type QueryField } from '../../../engine/tables/sqlite/query.ts';
import { checkFieldDefs, checkTableName } from '../../../engine/tables/schema.ts';

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return (err as { code: string }).code;
  }
  return 'none';
};

describe('table and field definitions', () => {
  it('checks table names', () => {
    expect(checkTableName('Orders_2024')).toBe('Orders_2024');
    for (const bad of ['_x', '2x', 'a-b', 'a"b', '', 5, null])
      expect(
        codeOf(() => checkTableName(bad)),
        String(bad),
      ).toBe('E_TABLE_BAD_NAME');
  });

  it('normalises fields and converts defaults', () => {
    expect(
      checkFieldDefs([{ name: 'n', type: 'integer', default: '5', required: false, index: true }]),
    ).toEqual([{ name: 'n', type: 'integer', default: 5, index: true }]);
    expect(codeOf(() => checkFieldDefs([{ name: 'rowid', type: 'string' }]))).toBe(
      'E_TABLE_BAD_SCHEMA',
    );
    expect(codeOf(() => checkFieldDefs([{ name: 'ID', type: 'string' }]))).toBe(
      'E_TABLE_BAD_SCHEMA',
    );
    expect(codeOf(() => checkFieldDefs([{ name: 'a', type: 'array', items: 'array' }]))).toBe(
      'E_TABLE_BAD_SCHEMA',
    );
    expect(
      codeOf(() =>
        checkFieldDefs([{ name: 'a', type: 'string' }], [{ name: 'A', type: 'integer' }]),
      ),
    ).toBe('E_TABLE_FIELD_EXISTS');
    expect(codeOf(() => checkFieldDefs({}))).toBe('E_TABLE_BAD_SCHEMA');
  });

  it('quoteIdent refuses anything that did not pass a name check', () => {
    expect(quoteIdent('a_1')).toBe('"a_1"');
    expect(() => quoteIdent('a"; DROP')).toThrow();
  });
});

describe('find options', () => {
  const fields = new Map<string, QueryField>([
    ['a', { type: 'string', column: 'r."a"' }],
    ['o', { type: 'object', column: 'r."o"' }],
  ]);

  it('limit defaults to 20 and is at most 1000', () => {
    expect(resolveLimit(undefined)).toBe(20);
    expect(resolveLimit(1000)).toBe(1000);
    expect(codeOf(() => resolveLimit(1001))).toBe('E_TABLE_BAD_OPTIONS');
    expect(codeOf(() => resolveLimit(1.5))).toBe('E_TABLE_BAD_OPTIONS');
  });

  it('order_by always ends with the insertion order as a tie-breaker', () => {
    expect(compileOrderBy('-a', fields)).toBe('ORDER BY r."a" DESC, r."_seq" ASC');
    expect(compileOrderBy(undefined, fields)).toBe('ORDER BY r."_seq" ASC');
    expect(codeOf(() => compileOrderBy(['o'], fields))).toBe('E_TABLE_BAD_OPTIONS');
    expect(codeOf(() => compileOrderBy(['x'], fields))).toBe('E_TABLE_BAD_OPTIONS');
  });

  it('keys keep (with id) or drop', () => {
    const all = ['id', 'a', 'b', 'created_at'];
    expect(resolveKeys('a', all)).toEqual(['id', 'a']);
    expect(resolveKeys(['-a', '-created_at'], all)).toEqual(['id', 'b']);
    expect(resolveKeys([], all)).toBeUndefined();
  });
});

describe('CSV', () => {
  it('quotes what needs quoting and defuses formulas in text cells', () => {
    expect(csvHeader(['id', 'a'])).toBe('id,a\r\n');
    const rows = csvRows(
      ['a', 'b', 'c', 'd'],
      [{ a: 'x,"y"\n', b: '=SUM(A1)', c: -5, d: { k: [1] } }, { a: null }],
    );
    expect(rows).toBe(`"x,""y""\n",'=SUM(A1),-5,"{""k"":[1]}"\r\n,,,\r\n`);
  });
});
