import { describe, expect, it } from 'vitest';
import {
  buildWhere,
  condition,
  FILTER_OPS,
  FilterInputError,
  opsFor,
  type FieldType,
  type FilterOp,
} from '../../../console/src/lib/filter-builder.ts';

// Each operator of the table page's filter builder → the `where` of docs/tables.md.
const types: Record<string, FieldType> = {
  name: 'string',
  qty: 'integer',
  price: 'number',
  paid: 'boolean',
  at: 'date',
  tags: 'array',
  extra: 'object',
};
const one = (field: string, op: FilterOp, value = '') =>
  condition({ field, op, value }, types[field]);

describe('filter builder: one condition per operator', () => {
  it.each([
    ['name', 'eq', 'abc', { name: { $eq: 'abc' } }],
    ['qty', 'eq', '42', { qty: { $eq: 42 } }],
    ['name', 'ne', 'x', { name: { $ne: 'x' } }],
    ['qty', 'lt', '-3', { qty: { $lt: -3 } }],
    ['price', 'lte', '9.5', { price: { $lte: 9.5 } }],
    ['at', 'gt', '2024-06-30T00:00:00Z', { at: { $gt: '2024-06-30T00:00:00Z' } }],
    ['price', 'gte', '1e3', { price: { $gte: 1000 } }],
    ['paid', 'eq', 'true', { paid: { $eq: true } }],
    ['name', 'contains', 'ab', { name: { $contains: 'ab' } }],
    ['name', 'regex', '^a.c$', { name: { $regex: '^a.c$' } }],
    ['name', 'regex', '/^abc/i', { name: { $regex: '^abc', $options: 'i' } }],
    ['qty', 'in', '1, 2,3', { qty: { $in: [1, 2, 3] } }],
    ['name', 'in', 'a,b', { name: { $in: ['a', 'b'] } }],
    ['name', 'nin', '["a,b","c"]', { name: { $nin: ['a,b', 'c'] } }],
    ['tags', 'all', 'vip,"007"', { tags: { $all: ['vip', '007'] } }],
    ['tags', 'in', '1,x', { tags: { $in: [1, 'x'] } }],
    ['name', 'isnull', '', { name: { $isnull: true } }],
    ['name', 'notnull', '', { name: { $isnull: false } }],
    ['extra', 'exists', '', { extra: { $exists: true } }],
    ['extra', 'notexists', '', { extra: { $exists: false } }],
    ['extra', 'has_key', ' color ', { extra: { $has_key: 'color' } }],
  ] as Array<[string, FilterOp, string, unknown]>)('%s %s %s', (field, op, value, where) => {
    expect(one(field, op, value)).toEqual(where);
  });

  it('covers every operator it offers', () => {
    const tested = new Set([
      'eq',
      'ne',
      'lt',
      'lte',
      'gt',
      'gte',
      'contains',
      'regex',
      'in',
      'nin',
      'all',
      'isnull',
      'notnull',
      'exists',
      'notexists',
      'has_key',
    ]);
    expect(new Set(FILTER_OPS)).toEqual(tested);
  });

  it('types the value of a dotted path as JSON, or text when it is not JSON', () => {
    expect(condition({ field: 'extra.size', op: 'gt', value: '3' }, undefined)).toEqual({
      'extra.size': { $gt: 3 },
    });
    expect(condition({ field: 'extra.color', op: 'eq', value: 'red' }, undefined)).toEqual({
      'extra.color': { $eq: 'red' },
    });
  });

  it('refuses values that do not fit the field, naming the row', () => {
    const bad = (field: string, op: FilterOp, value: string, reason: string) => {
      const rows = [
        { field: 'name', op: 'eq' as const, value: 'ok' },
        { field, op, value },
      ];
      try {
        buildWhere(rows, 'all', types);
        expect.unreachable();
      } catch (err) {
        expect(err).toBeInstanceOf(FilterInputError);
        expect((err as FilterInputError).index).toBe(1);
        expect((err as FilterInputError).reason).toBe(reason);
      }
    };
    bad('qty', 'eq', '1.5', 'filter.notInteger');
    bad('qty', 'eq', '007x', 'filter.notInteger');
    bad('price', 'lt', 'cheap', 'filter.notNumber');
    bad('paid', 'eq', 'yes', 'filter.notBoolean');
    bad('name', 'regex', '(', 'filter.badRegex');
    bad('name', 'in', '', 'filter.emptyList');
    bad('name', 'in', '[1,', 'filter.badList');
    bad('extra', 'has_key', ' ', 'filter.noKey');
    bad('', 'eq', 'x', 'filter.noField');
  });
});

describe('filter builder: all rows', () => {
  const rows = [
    { field: 'name', op: 'eq' as const, value: 'a' },
    { field: 'qty', op: 'gte' as const, value: '2' },
  ];
  it('joins rows with $and for 所有 and $or for 任一', () => {
    expect(buildWhere(rows, 'all', types)).toEqual({
      $and: [{ name: { $eq: 'a' } }, { qty: { $gte: 2 } }],
    });
    expect(buildWhere(rows, 'any', types)).toEqual({
      $or: [{ name: { $eq: 'a' } }, { qty: { $gte: 2 } }],
    });
  });
  it('gives the lone condition for one row and no where for none', () => {
    expect(buildWhere(rows.slice(0, 1), 'any', types)).toEqual({ name: { $eq: 'a' } });
    expect(buildWhere([], 'all', types)).toBeUndefined();
  });
  it('offers operators by field type', () => {
    expect(opsFor('boolean')).not.toContain('lt');
    expect(opsFor('object')).toContain('has_key');
    expect(opsFor('object')).not.toContain('eq');
    expect(opsFor('array')).toContain('all');
    expect(opsFor(undefined)).toEqual([...FILTER_OPS]);
  });
});

describe('filter builder: the records API accepts what it builds', () => {
  it('answers 200 with the expected records for a where of every operator', async () => {
    const { startTestEngine } = await import('../../helpers/engine.ts');
    const t = await startTestEngine();
    try {
      const fields = Object.entries(types).map(([name, type]) => ({ name, type }));
      expect((await t.api('POST', '/tables', { name: 'f', fields })).status).toBe(201);
      const made = await t.api('POST', '/tables/f/records', [
        {
          name: 'abc',
          qty: 1,
          price: 9.5,
          paid: true,
          at: '2024-07-01',
          tags: ['vip', '007'],
          extra: { color: 'red' },
        },
        { name: 'xyz', qty: 5, price: 20, paid: false, at: '2024-06-01', tags: [], extra: null },
      ]);
      expect(made.status).toBe(201);
      const cases: Array<[string, FilterOp, string, string[]]> = [
        ['name', 'eq', 'abc', ['abc']],
        ['name', 'ne', 'abc', ['xyz']],
        ['qty', 'lt', '5', ['abc']],
        ['qty', 'lte', '5', ['abc', 'xyz']],
        ['price', 'gt', '10', ['xyz']],
        ['at', 'gte', '2024-06-15', ['abc']],
        ['paid', 'eq', 'false', ['xyz']],
        ['name', 'contains', 'b', ['abc']],
        ['name', 'regex', '/^X/i', ['xyz']],
        ['qty', 'in', '1,2', ['abc']],
        ['name', 'nin', 'abc', ['xyz']],
        ['tags', 'all', 'vip,007', ['abc']],
        ['extra', 'isnull', '', ['xyz']],
        ['extra', 'notnull', '', ['abc']],
        ['extra', 'exists', '', ['abc']],
        ['extra', 'notexists', '', ['xyz']],
        ['extra', 'has_key', 'color', ['abc']],
        ['extra.color', 'eq', 'red', ['abc']],
      ];
      for (const [field, op, value, names] of cases) {
        const where = buildWhere([{ field, op, value }], 'all', types);
        const q = new URLSearchParams({ where: JSON.stringify(where), order_by: 'name' });
        const res = await t.api('GET', `/tables/f/records?${q}`);
        expect({ field, op, status: res.status }).toEqual({ field, op, status: 200 });
        expect({ field, op, names: res.body.objects.map((r: any) => r.name) }).toEqual({
          field,
          op,
          names,
        });
      }
    } finally {
      await t.close();
    }
  });
});
