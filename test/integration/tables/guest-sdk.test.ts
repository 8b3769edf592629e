/**
 * The guest SDK's own behaviour in a real isolate: MinCloud's call shapes, result shapes,
 * chain resets and error objects (the contract suite covers the data semantics).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteTableStore } from '../../../engine/tables/sqlite/table-store.ts';
import { createGuestIsolate, type GuestIsolate } from './helpers/guest-isolate.ts';

describe('guest table SDK (MinCloud API) in a real isolate', () => {
  let dir: string;
  let store: SqliteTableStore;
  let guest: GuestIsolate;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'cloudfn-sdk-'));
    store = new SqliteTableStore({ path: path.join(dir, 'tables.db') });
    store.createTable({
      name: 'product',
      fields: [
        { name: 'name', type: 'string' },
        { name: 'price', type: 'number' },
        { name: 'amount', type: 'integer' },
        { name: 'tags', type: 'array', items: 'string' },
        { name: 'obj', type: 'object' },
        { name: 'born', type: 'date' },
      ],
    });
    store.createMany('product', [
      { name: 'apple', price: 3, amount: 1, tags: ['red', 'fruit'], obj: { a: 1 } },
      { name: 'Banana', price: 1, amount: 5, tags: ['yellow', 'fruit'] },
      { name: 'cherry', price: 9, amount: 2, tags: ['red'] },
    ]);
    guest = await createGuestIsolate(store);
  });

  afterEach(() => {
    guest.dispose();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const run = <T = unknown>(body: string, args?: unknown) => guest.run<T>(body, args);
  const rejection = (body: string) =>
    run(body).then(
      () => {
        throw new Error('expected a rejection');
      },
      (e: unknown) => e as { name: string; code: string; status: number; message: string },
    );

  it('Query builds MinCloud’s wire format', async () => {
    const wire = await run(`
      const q1 = new BaaS.Query(); q1.compare('price', '>=', 1).contains('name', 'an').matches('name', /^b/i);
      const q2 = new BaaS.Query(); q2.in('amount', [1, 2]).notIn('name', ['x']).arrayContains('tags', ['red'])
        .isNull(['obj', 'born']).isNotNull('name').exists('price').notExists('born').hasKey('obj', 'a');
      return BaaS.Query.or(q1, BaaS.Query.and(q2, new BaaS.Query().compare('born', '<', new Date(0)))).queryObject;`);
    expect(wire).toEqual({
      $or: [
        {
          $and: [
            { price: { $gte: 1 } },
            { name: { $contains: 'an' } },
            { name: { $regex: '^b', $options: 'i' } },
          ],
        },
        {
          $and: [
            {
              $and: [
                { amount: { $in: [1, 2] } },
                { name: { $nin: ['x'] } },
                { tags: { $all: ['red'] } },
                { obj: { $isnull: true } },
                { born: { $isnull: true } },
                { name: { $isnull: false } },
                { price: { $exists: true } },
                { born: { $exists: false } },
                { obj: { $has_key: 'a' } },
              ],
            },
            { $and: [{ born: { $lt: '1970-01-01T00:00:00.000Z' } }] },
          ],
        },
      ],
    });
  });

  it('find resolves {data: {meta, objects}}; chains reset after each call; count resolves a number', async () => {
    const out = await run<{
      first: { data: { meta: Record<string, unknown>; objects: Array<Record<string, unknown>> } };
      second: number;
      count: number;
    }>(`
      const T = new BaaS.TableObject('product');
      const q = new BaaS.Query(); q.compare('price', '>', 1);
      const first = await T.setQuery(q).orderBy('-price').select(['name', 'price']).limit(1).offset(0).find();
      const second = (await T.find({ withCount: true })).data.meta.total_count;
      const count = await T.setQuery(q).count();
      return { first, second, count };`);
    expect(out.first.data.meta).toMatchObject({ limit: 1, offset: 0 });
    expect(out.first.data.meta.total_count).toBeUndefined();
    expect(out.first.data.objects).toEqual([{ id: expect.any(String), name: 'cherry', price: 9 }]);
    expect(out.second).toBe(3);
    expect(out.count).toBe(2);
  });

  it('TableObject works with and without new, by name and by id', async () => {
    const id = store.getTable('product').id;
    const counts = await run<number[]>(
      `return [await new BaaS.TableObject('product').count(), await BaaS.TableObject($args).count()];`,
      id,
    );
    expect(counts).toEqual([3, 3]);
    expect(await run(`return new BaaS.TableObject('product') instanceof BaaS.TableObject`)).toBe(
      true,
    );
  });

  it('record operations: set, unset, incrementBy (dotted), append, uAppend, remove, pop, shift, patchObject', async () => {
    const res = await run<{ status: number; data: Record<string, unknown> }>(`
      const T = new BaaS.TableObject('product');
      const created = (await T.create().set('name', 'kiwi').set({ price: 2, tags: ['a', 'b', 'c', 'd'], obj: { n: { v: 1 } } }).save()).data;
      const r = T.getWithoutData(created.id);
      r.unset('price').incrementBy('amount', 3).incrementBy('obj.n.v', 2).append('tags', 'e').uAppend('tags', ['e', 'a', 'f']);
      await r.update();
      const r2 = T.getWithoutData(created.id);
      await r2.remove('tags', 'b').update();
      await T.getWithoutData(created.id).pop('tags').update();
      await T.getWithoutData(created.id).shift('tags').update();
      return await T.getWithoutData(created.id).patchObject('obj', { m: 1 }).update();`);
    expect(res.status).toBe(200);
    expect(res.data).toMatchObject({
      name: 'kiwi',
      price: null,
      amount: 3,
      tags: ['c', 'd', 'e'],
      obj: { n: { v: 3 }, m: 1 },
    });
  });

  it('the last operation on a field counts', async () => {
    const data = await run<Record<string, unknown>>(`
      const T = new BaaS.TableObject('product');
      const r = T.create(); r.set('amount', 5); r.incrementBy('amount', 2); r.set('name', 'a'); r.set('name', 'b');
      return (await r.save()).data;`);
    expect(data).toMatchObject({ amount: 2, name: 'b' });
  });

  it('bulk update and delete by query resolve MinCloud’s bulk shape; limit/offset apply', async () => {
    const out = await run<{ upd: Record<string, unknown>; del: Record<string, unknown> }>(`
      const T = new BaaS.TableObject('product');
      const q = new BaaS.Query(); q.arrayContains('tags', ['fruit']);
      const recs = T.limit(1).offset(1).getWithoutData(q); recs.set('amount', 100);
      const upd = (await recs.update()).data;
      const del = (await T.delete(new BaaS.Query().compare('price', '>', 5))).data;
      return { upd, del };`);
    expect(out.upd).toMatchObject({ succeed: 1, total_count: 2, limit: 1, offset: 1 });
    expect(store.find('product', { where: { amount: 100 } }).objects.map((r) => r.name)).toEqual([
      'Banana',
    ]);
    expect(out.del).toMatchObject({ succeed: 1, total_count: 1 });
    expect(store.count('product')).toBe(2);
  });

  it('createMany resolves 201 with the bulk shape; dates and records are serialised', async () => {
    const res = await run<{ status: number; data: { succeed: number } }>(`
      const T = new BaaS.TableObject('product');
      return await T.createMany([{ name: 'd', born: new Date(Date.UTC(2020, 0, 2)) }, { name: 'e', tags: ['x'] }]);`);
    expect(res.status).toBe(201);
    expect(res.data.succeed).toBe(2);
    expect(store.find('product', { where: { name: 'd' } }).objects[0]?.born).toBe(
      '2020-01-02T00:00:00.000Z',
    );
  });

  it('get of a missing id rejects 404; delete by id resolves 204', async () => {
    const err = await rejection(
      `return await new BaaS.TableObject('product').get('0123456789abcdef01234567');`,
    );
    // MinCloud's HError: the integer in `code`, our code in `reason`.
    expect(err).toMatchObject({
      code: 404,
      reason: 'E_TABLE_RECORD_NOT_FOUND',
      status: 404,
      name: 'HError',
    });
    expect(err.message).toContain('not found');
    const id = store.find('product').objects[0]!.id;
    const res = await run(`return await new BaaS.TableObject('product').delete($args);`, id);
    expect(res).toEqual({ status: 204, statusText: 'No Content', data: '' });
  });

  it('bad SDK arguments throw synchronously (MinCloud 605), host refusals reject', async () => {
    const thrown = await run<string[]>(`
      const T = new BaaS.TableObject('product');
      const codes = [];
      for (const f of [
        () => new BaaS.Query().compare('a', '==', 1),
        () => new BaaS.Query().contains('a', 5),
        () => new BaaS.Query().matches('a', 5),
        () => new BaaS.Query().in('a', 'x'),
        () => T.limit('5'),
        () => T.create().set(1, 2, 3),
        () => T.create().patchObject('obj', [1]),
        () => T.delete({}),
        () => new BaaS.TableObject({}),
      ]) { try { f(); codes.push('none'); } catch (e) { codes.push(e.code + ':' + e.reason + ':' + e.status); } }
      return codes;`);
    expect(thrown).toEqual(Array(9).fill('605:E_TABLE_BAD_ARGS:400'));
    const err = await rejection(`return await new BaaS.TableObject('nope').find();`);
    expect(err).toMatchObject({ code: 404, reason: 'E_TABLE_NOT_FOUND', status: 404 });
  });

  it('matches keeps RegExp flags and drops g', async () => {
    const names = await run<string[]>(`
      const q = new BaaS.Query(); q.matches('name', /^B/gi);
      return (await new BaaS.TableObject('product').setQuery(q).find()).data.objects.map((r) => r.name);`);
    expect(names).toEqual(['Banana']);
  });
});
