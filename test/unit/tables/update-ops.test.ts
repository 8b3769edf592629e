import { describe, expect, it } from 'vitest';
import type { FieldDef } from '../../../engine/tables/table-store.ts';
import { applyUpdate } from '../../../engine/tables/update-ops.ts';

const defs: FieldDef[] = [
  { name: 'n', type: 'integer', default: 1 },
  { name: 's', type: 'string', required: true },
  { name: 'a', type: 'array' },
  { name: 'o', type: 'object' },
];
const fields = new Map(defs.map((d) => [d.name, d]));
const current = { n: 2, s: 'x', a: [1, { k: 1 }], o: { p: { q: 1 } } };

describe('applyUpdate', () => {
  it('on create: defaults for absent fields, required enforced', () => {
    const r = applyUpdate(fields, null, { s: 'y' });
    expect(Object.fromEntries(r.values)).toEqual({ s: 'y', n: 1, a: null, o: null });
    expect(applyUpdate(fields, null, {}).issues.map((i) => [i.field, i.kind])).toEqual([
      ['s', 'required'],
    ]);
  });

  it('only changed fields are returned on update', () => {
    const r = applyUpdate(fields, current, { n: { $incr_by: 3 } });
    expect([...r.values.entries()]).toEqual([['n', 5]]);
  });

  it('dotted paths create intermediate objects and never mutate the current record', () => {
    const before = JSON.stringify(current);
    const r = applyUpdate(fields, current, {
      'o.p.q': { $incr_by: 1 },
      'o.x.y': 'z',
      'o.p.gone': { $unset: '' },
    });
    expect(r.values.get('o')).toEqual({ p: { q: 2 }, x: { y: 'z' } });
    expect(JSON.stringify(current)).toBe(before);
  });

  it('refuses unsafe or impossible paths', () => {
    for (const key of ['o.__proto__.x', 'o.constructor', 'o..x', 'n.x']) {
      expect(applyUpdate(fields, current, { [key]: 1 }).issues, key).toHaveLength(1);
    }
    expect(applyUpdate(fields, { ...current, o: { p: 5 } }, { 'o.p.q': 1 }).issues[0]?.kind).toBe(
      'type',
    );
  });

  it('array operators compare elements structurally', () => {
    expect(applyUpdate(fields, current, { a: { $remove: [{ k: 1 }] } }).values.get('a')).toEqual([
      1,
    ]);
    expect(
      applyUpdate(fields, current, { a: { $append_unique: [{ k: 1 }, 2] } }).values.get('a'),
    ).toEqual([1, { k: 1 }, 2]);
    expect(applyUpdate(fields, current, { a: { $append: 3 } }).values.get('a')).toEqual([
      1,
      { k: 1 },
      3,
    ]);
    expect(applyUpdate(fields, current, { a: { $pop: 2 } }).issues[0]?.kind).toBe('bad_update');
  });

  it('an object that is not a known single operator is a value', () => {
    const r = applyUpdate(fields, current, { o: { $foo: 1 } });
    expect(r.values.get('o')).toEqual({ $foo: 1 });
    expect(
      applyUpdate(fields, current, { o: { $update: { a: 1 }, $x: 2 } }).values.get('o'),
    ).toEqual({ $update: { a: 1 }, $x: 2 });
  });

  it('collects every issue instead of stopping at the first', () => {
    const r = applyUpdate(fields, current, { n: 'x', s: { $unset: '' }, zz: 1, id: 'a', a: 'no' });
    expect(r.issues.map((i) => `${i.field}:${i.kind}`).sort()).toEqual([
      'a:type',
      'id:system',
      'n:type',
      's:required',
      'zz:unknown',
    ]);
  });

  it('refuses a non-object document and $set/$unset of the wrong shape', () => {
    expect(() => applyUpdate(fields, current, [])).toThrow(/JSON object/);
    expect(() => applyUpdate(fields, current, { $set: 1 })).toThrow(/\$set/);
  });

  it('created_by takes a user id (number, decimal string, {id}) or null; nothing else', () => {
    expect(applyUpdate(fields, current, { created_by: 7 }).createdBy).toBe(7);
    expect(applyUpdate(fields, current, { created_by: '7' }).createdBy).toBe(7);
    expect(
      applyUpdate(fields, current, { created_by: { id: 8, _table: '_userprofile' } }).createdBy,
    ).toBe(8);
    expect(applyUpdate(fields, current, { created_by: null }).createdBy).toBe(null);
    expect(applyUpdate(fields, current, { s: 'z' }).createdBy).toBeUndefined();
    for (const bad of [0, -1, 1.5, '007', 'x', true, [7]])
      expect(
        applyUpdate(fields, current, { created_by: bad }).issues.map((i) => [i.field, i.kind]),
      ).toEqual([['created_by', 'type']]);
    // An operator on it is a write to a system field.
    expect(
      applyUpdate(fields, current, { created_by: { $incr_by: 1 } }).issues.map((i) => i.kind),
    ).toEqual(['system']);
  });

  it("read_perm and write_perm take MinCloud's ACL entries, deduplicated", () => {
    const r = applyUpdate(fields, current, {
      read_perm: ['user:*', 'user:*', 'gid:3'],
      write_perm: ['user:42'],
    });
    expect(r.acl).toEqual({ read_perm: ['user:*', 'gid:3'], write_perm: ['user:42'] });
    expect(applyUpdate(fields, current, { read_perm: null }).acl).toEqual({ read_perm: null });
    for (const bad of [['everyone'], 'user:*', ['user:0'], ['gid:x'], [1]])
      expect(
        applyUpdate(fields, current, { read_perm: bad }).issues.map((i) => [i.field, i.kind]),
      ).toEqual([['read_perm', 'type']]);
  });
});
