/**
 * The TableStore contract: every method, operator and edge case MinCloud users rely on.
 * Any TableStore implementation (SQLite today, PostgreSQL later) must pass it, and so must
 * every way of reaching one: directly, through the REST API, and through the guest SDK in a
 * real isolate (see test/integration/tables/*contract*.test.ts).
 *
 * It is long on purpose: one list of behaviours, grouped by method, so that a new
 * implementation is checked against all of them at once.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type {
  FieldDef,
  StoredRecord,
  SyncTableStore,
  TableChange,
  TableStore,
} from '../../engine/tables/table-store.ts';

type Awaitable<T> = T | Promise<T>;

/**
 * A TableStore whose methods may answer asynchronously (REST, isolate). `scan` (exports'
 * paging, no REST or SDK face of its own) has its contract in table-scan.contract.ts.
 */
export type TableStoreDriver = {
  [K in Exclude<keyof SyncTableStore, 'onChange' | 'close' | 'scan'>]: SyncTableStore[K] extends (
    ...args: infer A
  ) => infer R
    ? (...args: A) => Awaitable<R>
    : never;
};

export interface ContractSubject {
  store: TableStoreDriver;
  /** Where change events can be observed (the underlying store), when the driver has one. */
  events?: Pick<TableStore, 'onChange'>;
  /** False when the route cannot pass WriteOptions.createdBy (functions write as nobody). */
  supportsCreatedBy?: boolean;
  close(): Awaitable<void>;
}

const FIELDS: FieldDef[] = [
  { name: 'title', type: 'string', required: true },
  { name: 'qty', type: 'integer', default: 1 },
  { name: 'price', type: 'number' },
  { name: 'paid', type: 'boolean' },
  { name: 'when', type: 'date' },
  { name: 'tags', type: 'array', items: 'string' },
  { name: 'nums', type: 'array', items: 'integer' },
  { name: 'any', type: 'array' },
  { name: 'meta', type: 'object' },
  { name: 'short', type: 'string', maxLength: 5 },
  { name: '_AppId', type: 'string' },
];

/** Runs `fn` and returns the error it throws or rejects with (fails the test when none). */
async function refusal(
  fn: () => unknown,
): Promise<{ code: string; status: number; message: string; details?: Record<string, unknown> }> {
  try {
    await fn();
  } catch (err) {
    return err as {
      code: string;
      status: number;
      message: string;
      details?: Record<string, unknown>;
    };
  }
  throw new Error('expected a refusal, but the call succeeded');
}

async function expectRefusal(
  fn: () => unknown,
  code: string,
  status = 400,
): Promise<{ message: string; details?: Record<string, unknown> }> {
  const err = await refusal(fn);
  expect({ code: err.code, status: err.status }).toEqual({ code, status });
  return err;
}

/** Registers the whole contract for one way of reaching a TableStore. */
export function tableStoreContract(label: string, open: () => Promise<ContractSubject>): void {
  describe(`TableStore contract: ${label}`, () => {
    let subject: ContractSubject;
    let s: TableStoreDriver;

    beforeEach(async () => {
      subject = await open();
      s = subject.store;
      await s.createTable({ name: 'items', fields: FIELDS });
    });

    afterEach(async () => {
      await subject.close();
    });

    const create = (data: Record<string, unknown>) =>
      s.createRecord('items', data) as Promise<StoredRecord>;
    const ids = (list: { objects: StoredRecord[] }) => list.objects.map((r) => String(r.id));

    async function seed(): Promise<StoredRecord[]> {
      const rows = [
        {
          title: 'Apple',
          qty: 3,
          price: 1.5,
          paid: true,
          when: '2024-01-01',
          tags: ['red', 'fruit'],
          nums: [1, 2],
          meta: { color: 'red', size: { w: 1 } },
        },
        {
          title: 'banana',
          qty: 10,
          price: 0.25,
          paid: false,
          when: '2024-02-01',
          tags: ['yellow', 'fruit'],
          nums: [2, 3],
          meta: { color: 'yellow' },
        },
        {
          title: 'Cherry 🍒',
          qty: 7,
          price: 4,
          paid: true,
          when: '2024-03-01',
          tags: ['red'],
          nums: [],
          meta: { color: 'red', ripe: null },
        },
        { title: '西瓜', qty: 1, tags: [], meta: {} },
        { title: 'empty' },
      ];
      const out: StoredRecord[] = [];
      for (const r of rows) out.push(await create(r));
      return out;
    }

    describe('tables', () => {
      it('createTable gives an integer id and the normalised fields; getTable finds it by id, numeric string and name', async () => {
        const t = await s.getTable('items');
        expect(Number.isInteger(t.id)).toBe(true);
        expect(t.fields.map((f) => f.name)).toEqual(FIELDS.map((f) => f.name));
        expect((await s.getTable(t.id)).name).toBe('items');
        expect((await s.getTable(String(t.id))).name).toBe('items');
        expect((await s.listTables()).map((x) => x.name)).toContain('items');
      });

      it('refuses a duplicate name (case-insensitively), bad names and bad field definitions', async () => {
        await expectRefusal(
          () => s.createTable({ name: 'Items', fields: [] }),
          'E_TABLE_EXISTS',
          409,
        );
        for (const name of ['1abc', 'a-b', 'a b', '', 'x'.repeat(65), 'a;DROP TABLE x']) {
          await expectRefusal(() => s.createTable({ name, fields: [] }), 'E_TABLE_BAD_NAME');
        }
        const bad: unknown[] = [
          { name: 'id', type: 'string' },
          { name: 'created_at', type: 'integer' },
          { name: '__proto__', type: 'string' },
          { name: 'x'.repeat(33), type: 'string' },
          { name: '9lives', type: 'string' },
          { name: 'a', type: 'text' },
          { name: 'a', type: 'string', requried: true },
          { name: 'a', type: 'integer', default: 'many' },
          { name: 'a', type: 'string', items: 'string' },
        ];
        for (const field of bad) {
          await expectRefusal(
            () => s.createTable({ name: 'other', fields: [field as FieldDef] }),
            'E_TABLE_BAD_SCHEMA',
          );
        }
        await expectRefusal(
          () =>
            s.createTable({
              name: 'other',
              fields: [
                { name: 'a', type: 'string' },
                { name: 'A', type: 'integer' },
              ],
            }),
          'E_TABLE_FIELD_EXISTS',
          409,
        );
        const ok = await s.createTable({
          name: 'other',
          fields: [
            { name: '_AppId', type: 'string' },
            { name: 'x'.repeat(32), type: 'string' },
          ],
        });
        expect(ok.fields).toHaveLength(2);
      });

      it('an unknown table is a 404 everywhere', async () => {
        await expectRefusal(() => s.getTable('nope'), 'E_TABLE_NOT_FOUND', 404);
        await expectRefusal(() => s.getTable(99999), 'E_TABLE_NOT_FOUND', 404);
        await expectRefusal(() => s.createRecord('nope', {}), 'E_TABLE_NOT_FOUND', 404);
        await expectRefusal(() => s.find('nope'), 'E_TABLE_NOT_FOUND', 404);
        await expectRefusal(() => s.dropTable('nope'), 'E_TABLE_NOT_FOUND', 404);
      });

      it('addFields adds columns; existing records get the default; a required field without default needs an empty table', async () => {
        const r = await create({ title: 'a' });
        const t = await s.addFields('items', [
          { name: 'status', type: 'string', default: 'new' },
          { name: 'note', type: 'string' },
        ]);
        expect(t.fields.map((f) => f.name)).toContain('status');
        expect(await s.getRecord('items', r.id)).toMatchObject({ status: 'new', note: null });
        await expectRefusal(
          () => s.addFields('items', [{ name: 'must', type: 'string', required: true }]),
          'E_TABLE_BAD_SCHEMA',
        );
        await expectRefusal(
          () => s.addFields('items', [{ name: 'Title', type: 'string' }]),
          'E_TABLE_FIELD_EXISTS',
          409,
        );
        expect((await create({ title: 'b', status: 'done' })).status).toBe('done');
      });

      it('dropTable removes the table and its records', async () => {
        await create({ title: 'a' });
        await s.dropTable('items');
        await expectRefusal(() => s.getTable('items'), 'E_TABLE_NOT_FOUND', 404);
        await s.createTable({ name: 'items', fields: [{ name: 'title', type: 'string' }] });
        expect(await s.count('items')).toBe(0);
      });
    });

    describe('createRecord', () => {
      it('returns the whole record: 24-hex id, unix-second times, defaults, null for unset fields', async () => {
        const before = Math.floor(Date.now() / 1000);
        const r = await create({ title: 'a' });
        const after = Math.floor(Date.now() / 1000) + 1;
        expect(r.id).toMatch(/^[0-9a-f]{24}$/);
        expect(r.created_at).toBeGreaterThanOrEqual(before);
        expect(r.created_at).toBeLessThanOrEqual(after);
        expect(r.updated_at).toBe(r.created_at);
        expect(r.created_by).toBeNull();
        expect(r).toMatchObject({
          title: 'a',
          qty: 1,
          price: null,
          paid: null,
          tags: null,
          meta: null,
          _AppId: null,
        });
        expect(await s.getRecord('items', r.id)).toEqual(r);
      });

      it("keeps an object's keys in the order written, in objects, arrays and defaults", async () => {
        // toEqual ignores key order: JSON text does not (a function's JSON.stringify, Object.keys).
        const meta = { zeta: 1, a: { y: [{ k: 1, c: 2 }], b: null }, m: 'x' };
        const any = [{ zz: 1, aa: 2 }, [{ q: 1, b: 2 }]];
        const r = await create({ title: 'order', meta, any });
        for (const got of [
          r,
          await s.getRecord('items', r.id),
          (await s.find('items', { where: { title: { $eq: 'order' } } })).objects[0]!,
        ])
          expect(JSON.stringify([got.meta, got.any])).toBe(JSON.stringify([meta, any]));
        await s.updateRecord('items', r.id, { 'meta.a.y': [{ z: 0, a: 1 }] });
        expect(JSON.stringify((await s.getRecord('items', r.id)).meta)).toBe(
          JSON.stringify({ zeta: 1, a: { y: [{ z: 0, a: 1 }], b: null }, m: 'x' }),
        );
        const fields = [
          { name: 'obj', type: 'object', default: { zz: 1, aa: { y: 1, b: 2 } } },
          { name: 'ptr', type: 'pointer', to: 'items' },
        ] as FieldDef[];
        const made = await s.createTable({ name: 'ordered', fields });
        for (const table of [made, await s.getTable('ordered')])
          expect(JSON.stringify(table.fields)).toBe(JSON.stringify(fields));
        const rec = await s.createRecord('ordered', {});
        expect(JSON.stringify(rec.obj)).toBe(JSON.stringify({ zz: 1, aa: { y: 1, b: 2 } }));
      });

      it('stores every type and unicode losslessly', async () => {
        const data = {
          title: 'Ünïcødé 🎉 中文 \u0000 "quotes" \\ \n',
          qty: -42,
          price: 3.25,
          paid: false,
          when: '2024-05-06T07:08:09.123Z',
          tags: ['a', 'é', '🍒'],
          nums: [0, -1, 9007199254740991],
          any: [1, 'two', true, null, { k: ['v'] }],
          meta: { 'key with space': 1, 中文: { deep: [1, { x: null }] }, emoji: '🎉' },
          _AppId: 'wx2c2769f8efd9abc2',
        };
        const r = await create(data);
        expect(r).toMatchObject(data);
        expect(await s.getRecord('items', r.id)).toMatchObject(data);
      });

      it('converts losslessly: numeric strings into integer/number fields, numbers into string fields, dates to UTC ISO', async () => {
        const r = await create({
          title: 12.5,
          qty: '42',
          price: '-1.5e2',
          when: '2024-01-02T03:04:05+08:00',
          nums: ['7'],
        });
        expect(r).toMatchObject({
          title: '12.5',
          qty: 42,
          price: -150,
          when: '2024-01-01T19:04:05.000Z',
          nums: [7],
        });
        expect((await create({ title: 'd', when: '2024-02-29' })).when).toBe(
          '2024-02-29T00:00:00.000Z',
        );
      });

      it('refuses the whole write, naming each bad field, and writes nothing', async () => {
        const err = await refusal(() =>
          create({ qty: 'many', price: 'cheap', paid: 'yes', nope: 1, id: 'x', short: 'toolong' }),
        );
        expect(err.code).toBe('E_TABLE_INVALID_RECORD');
        expect(err.status).toBe(400);
        expect([...(err.details?.fields as string[])].sort()).toEqual(
          ['id', 'nope', 'paid', 'price', 'qty', 'short', 'title'].sort(),
        );
        for (const f of ['qty', 'price', 'paid', 'nope', 'short', 'title'])
          expect(err.message).toContain(`'${f}'`);
        expect(await s.count('items')).toBe(0);
      });

      it('uses a specific code when every problem is of one kind', async () => {
        await expectRefusal(() => create({ title: 'a', nope: 1 }), 'E_TABLE_UNKNOWN_FIELD');
        await expectRefusal(() => create({ title: 'a', qty: 1.5 }), 'E_TABLE_FIELD_TYPE');
        await expectRefusal(() => create({}), 'E_TABLE_REQUIRED_FIELD');
        await expectRefusal(() => create({ title: null }), 'E_TABLE_REQUIRED_FIELD');
        await expectRefusal(
          () => create({ title: 'a', short: '123456' }),
          'E_TABLE_VALUE_TOO_LONG',
        );
        await expectRefusal(() => create({ title: 'a', created_at: 1 }), 'E_TABLE_SYSTEM_FIELD');
      });

      it('refuses conversions that would lose data', async () => {
        const cases: Array<Record<string, unknown>> = [
          { qty: '1.5' },
          { qty: '007' },
          { qty: 2 ** 53 },
          { qty: ' 5' },
          { price: 'NaN' },
          { paid: 'true' },
          { paid: 1 },
          { title: true },
          { title: { a: 1 } },
          { when: '2024-01-01T10:00:00' },
          { when: '2024-13-01' },
          { when: '2024-01-01T10:00:00.1234567Z' },
          { when: 1700000000 },
          { tags: 'red' },
          { tags: ['ok', 5.5, null] },
          { nums: ['x'] },
          { meta: [1] },
          { meta: 'x' },
          { any: { a: 1 } },
        ];
        for (const c of cases) {
          const err = await refusal(() => create({ title: 't', ...c }));
          expect(err.code, JSON.stringify(c)).toBe('E_TABLE_FIELD_TYPE');
          expect(err.details?.fields).toEqual(Object.keys(c));
        }
        expect(await s.count('items')).toBe(0);
      });

      it('a string holds 64 KiB by default and no more than 65536 characters', async () => {
        await s.addFields('items', [{ name: 'body', type: 'string' }]);
        expect((await create({ title: 'a', body: 'x'.repeat(65_536) })).body).toHaveLength(65_536);
        expect((await create({ title: 'a', body: '字'.repeat(30_000) })).body).toHaveLength(30_000);
        await expectRefusal(
          () => create({ title: 'a', body: 'x'.repeat(65_537) }),
          'E_TABLE_VALUE_TOO_LONG',
        );
      });

      it('accepts nulls for optional fields and update operators on create', async () => {
        const r = await create({
          title: 'a',
          price: null,
          qty: { $incr_by: 5 },
          tags: { $append: ['x'] },
        });
        expect(r).toMatchObject({ price: null, qty: 5, tags: ['x'] });
      });

      it('records created_by when the route can pass it', async () => {
        if (subject.supportsCreatedBy === false) return;
        const r = (await s.createRecord(
          'items',
          { title: 'a' },
          { createdBy: 42 },
        )) as StoredRecord;
        expect(r.created_by).toBe(42);
      });
    });

    describe('createMany', () => {
      it('creates all items and answers MinCloud’s bulk shape', async () => {
        const res = await s.createMany('items', [
          { title: 'a' },
          { title: 'b', qty: 2 },
          { title: 'c' },
        ]);
        expect(res.succeed).toBe(3);
        expect(res.total_count).toBe(3);
        expect(res.operation_result).toHaveLength(3);
        for (const r of res.operation_result) expect(r.success?.id).toMatch(/^[0-9a-f]{24}$/);
        expect(await s.count('items')).toBe(3);
        expect((await s.createMany('items', [])).succeed).toBe(0);
      });

      it('is all or nothing: one bad item refuses the lot and names it', async () => {
        const err = await refusal(() =>
          s.createMany('items', [{ title: 'a' }, { title: 'b' }, { title: 'c', qty: 'x' }]),
        );
        expect(err.code).toBe('E_TABLE_FIELD_TYPE');
        expect(err.details?.index).toBe(2);
        expect(err.details?.fields).toEqual(['qty']);
        expect(await s.count('items')).toBe(0);
      });

      it('takes up to 1000 items', async () => {
        const many = Array.from({ length: 1000 }, (_, i) => ({ title: `t${i}`, qty: i }));
        expect((await s.createMany('items', many)).succeed).toBe(1000);
        await expectRefusal(
          () => s.createMany('items', [...many, { title: 'x' }]),
          'E_TABLE_TOO_MANY_RECORDS',
        );
        expect(await s.count('items')).toBe(1000);
      });
    });

    describe('getRecord', () => {
      it('a missing or malformed id is a 404', async () => {
        await expectRefusal(
          () => s.getRecord('items', '0123456789abcdef01234567'),
          'E_TABLE_RECORD_NOT_FOUND',
          404,
        );
        await expectRefusal(
          () => s.getRecord('items', "x' OR 1=1 --"),
          'E_TABLE_RECORD_NOT_FOUND',
          404,
        );
      });

      it('keys keeps (plus id) or drops fields', async () => {
        const r = await create({ title: 'a', qty: 2 });
        expect(await s.getRecord('items', r.id, { keys: ['qty'] })).toEqual({ id: r.id, qty: 2 });
        const dropped = await s.getRecord('items', r.id, { keys: ['-qty', '-meta'] });
        expect(dropped).not.toHaveProperty('qty');
        expect(dropped).toHaveProperty('title', 'a');
        await expectRefusal(
          () => s.getRecord('items', r.id, { keys: ['qty', '-title'] }),
          'E_TABLE_BAD_OPTIONS',
        );
        await expectRefusal(
          () => s.getRecord('items', r.id, { keys: ['nope'] }),
          'E_TABLE_BAD_OPTIONS',
        );
      });
    });

    describe('updateRecord', () => {
      it('sets and unsets fields and moves updated_at, not created_at', async () => {
        const r = await create({ title: 'a', price: 2, tags: ['x'] });
        const u = await s.updateRecord('items', r.id, { title: 'b', price: { $unset: '' } });
        expect(u).toMatchObject({
          id: r.id,
          title: 'b',
          price: null,
          tags: ['x'],
          created_at: r.created_at,
        });
        expect(u.updated_at).toBeGreaterThanOrEqual(r.updated_at);
        expect(await s.getRecord('items', r.id)).toEqual(u);
      });

      it('incrementBy on numbers, on null (from 0), and on dotted paths inside objects', async () => {
        const r = await create({ title: 'a', qty: 5, meta: { stats: { visits: 1 } } });
        const u = await s.updateRecord('items', r.id, {
          qty: { $incr_by: -2 },
          price: { $incr_by: 0.5 },
          'meta.stats.visits': { $incr_by: 10 },
          'meta.new.n': { $incr_by: 1 },
        });
        expect(u).toMatchObject({
          qty: 3,
          price: 0.5,
          meta: { stats: { visits: 11 }, new: { n: 1 } },
        });
        await expectRefusal(
          () => s.updateRecord('items', r.id, { title: { $incr_by: 1 } }),
          'E_TABLE_FIELD_TYPE',
        );
        await expectRefusal(
          () => s.updateRecord('items', r.id, { qty: { $incr_by: 0.5 } }),
          'E_TABLE_FIELD_TYPE',
        );
        await expectRefusal(
          () => s.updateRecord('items', r.id, { 'qty.x': 1 }),
          'E_TABLE_FIELD_TYPE',
        );
      });

      it('array operations: append, append_unique, remove, pop, shift', async () => {
        const r = await create({ title: 'a', tags: ['a', 'b'], any: [{ k: 1 }, 2] });
        expect(
          (await s.updateRecord('items', r.id, { tags: { $append: ['b', 'c'] } })).tags,
        ).toEqual(['a', 'b', 'b', 'c']);
        expect(
          (await s.updateRecord('items', r.id, { tags: { $append_unique: ['c', 'd', 'd'] } })).tags,
        ).toEqual(['a', 'b', 'b', 'c', 'd']);
        expect(
          (await s.updateRecord('items', r.id, { tags: { $remove: ['b', 'zz'] } })).tags,
        ).toEqual(['a', 'c', 'd']);
        expect((await s.updateRecord('items', r.id, { tags: { $pop: 1 } })).tags).toEqual([
          'a',
          'c',
        ]);
        expect((await s.updateRecord('items', r.id, { tags: { $pop: -1 } })).tags).toEqual(['c']);
        expect((await s.updateRecord('items', r.id, { any: { $remove: [{ k: 1 }] } })).any).toEqual(
          [2],
        );
        expect((await s.updateRecord('items', r.id, { nums: { $append: [1] } })).nums).toEqual([1]);
        await expectRefusal(
          () => s.updateRecord('items', r.id, { nums: { $append: ['x'] } }),
          'E_TABLE_FIELD_TYPE',
        );
        await expectRefusal(
          () => s.updateRecord('items', r.id, { title: { $append: ['x'] } }),
          'E_TABLE_FIELD_TYPE',
        );
      });

      it('patchObject merges one level deep', async () => {
        const r = await create({ title: 'a', meta: { a: [1, 2, 3], b: 666, c: { age: 100 } } });
        const u = await s.updateRecord('items', r.id, {
          meta: { $update: { a: [222], b: 555, d: 888 } },
        });
        expect(u.meta).toEqual({ a: [222], b: 555, c: { age: 100 }, d: 888 });
        await expectRefusal(
          () => s.updateRecord('items', r.id, { meta: { $update: 5 } }),
          'E_TABLE_BAD_UPDATE',
        );
      });

      it('refuses bad updates whole, leaving the record as it was', async () => {
        const r = await create({ title: 'a', qty: 1 });
        const err = await refusal(() =>
          s.updateRecord('items', r.id, { qty: 2, title: { $unset: '' }, nope: 1 }),
        );
        expect(err.code).toBe('E_TABLE_INVALID_RECORD');
        expect([...(err.details?.fields as string[])].sort()).toEqual(['nope', 'title']);
        expect(await s.getRecord('items', r.id)).toEqual(r);
        await expectRefusal(
          () => s.updateRecord('items', '0123456789abcdef01234567', { qty: 1 }),
          'E_TABLE_RECORD_NOT_FOUND',
          404,
        );
        await expectRefusal(
          () => s.updateRecord('items', r.id, { id: 'x' }),
          'E_TABLE_SYSTEM_FIELD',
        );
      });

      it('accepts MinCloud’s {$set, $unset} shape', async () => {
        const r = await create({ title: 'a', price: 1 });
        const u = await s.updateRecord('items', r.id, { $set: { qty: 9 }, $unset: { price: '' } });
        expect(u).toMatchObject({ qty: 9, price: null });
      });
    });

    describe('updateWhere and deleteWhere', () => {
      it('updateWhere changes the matching records and reports MinCloud’s bulk shape', async () => {
        await seed();
        const res = await s.updateWhere('items', { paid: true }, { qty: { $incr_by: 100 } });
        expect(res).toMatchObject({ succeed: 2, total_count: 2, offset: 0, next: null });
        expect(res.operation_result.every((r) => typeof r.success?.id === 'string')).toBe(true);
        const list = await s.find('items', { where: { qty: { $gte: 100 } }, orderBy: ['qty'] });
        expect(list.objects.map((r) => r.qty)).toEqual([103, 107]);
      });

      it('limit and offset page through the matches in insertion order', async () => {
        const all = await seed();
        const res = await s.updateWhere('items', {}, { price: 9 }, { limit: 2, offset: 1 });
        expect(res).toMatchObject({ succeed: 2, total_count: 5, limit: 2, offset: 1 });
        expect(res.next).toBeTruthy();
        expect(res.operation_result.map((r) => r.success?.id)).toEqual([all[1]!.id, all[2]!.id]);
      });

      it('is all or nothing', async () => {
        await seed();
        await expectRefusal(
          () => s.updateWhere('items', {}, { title: { $unset: '' } }),
          'E_TABLE_REQUIRED_FIELD',
        );
        expect(await s.count('items', { title: { $isnull: true } })).toBe(0);
      });

      it('deleteWhere removes the matching records', async () => {
        await seed();
        const res = await s.deleteWhere('items', { tags: { $in: ['red'] } });
        expect(res).toMatchObject({ succeed: 2, total_count: 2 });
        expect(await s.count('items')).toBe(3);
        expect((await s.deleteWhere('items', { title: 'zzz' })).succeed).toBe(0);
      });

      it('deleteRecord removes one record; a second delete is a 404', async () => {
        const r = await create({ title: 'a' });
        await s.deleteRecord('items', r.id);
        await expectRefusal(() => s.getRecord('items', r.id), 'E_TABLE_RECORD_NOT_FOUND', 404);
        await expectRefusal(() => s.deleteRecord('items', r.id), 'E_TABLE_RECORD_NOT_FOUND', 404);
      });
    });

    describe('find: paging, order, keys', () => {
      it('answers {meta, objects} with limit 20 by default in insertion order', async () => {
        await s.createMany(
          'items',
          Array.from({ length: 25 }, (_, i) => ({ title: `t${i}` })),
        );
        const page = await s.find('items', {});
        expect(page.meta).toMatchObject({ limit: 20, offset: 0, total_count: 25 });
        expect(page.objects.map((r) => r.title)).toEqual(
          Array.from({ length: 20 }, (_, i) => `t${i}`),
        );
        expect(page.meta.next).toBeTruthy();
        const last = await s.find('items', { offset: 20 });
        expect(last.objects).toHaveLength(5);
        expect(last.meta.next ?? null).toBeNull();
      });

      it('limit is at most 1000, and a 1000-row page is complete', async () => {
        await s.createMany(
          'items',
          Array.from({ length: 1000 }, (_, i) => ({ title: `t${i}`, qty: i })),
        );
        await s.createMany(
          'items',
          Array.from({ length: 5 }, (_, i) => ({ title: `u${i}` })),
        );
        const page = await s.find('items', { limit: 1000 });
        expect(page.objects).toHaveLength(1000);
        expect(page.meta.total_count).toBe(1005);
        expect(new Set(ids(page)).size).toBe(1000);
        await expectRefusal(() => s.find('items', { limit: 1001 }), 'E_TABLE_BAD_OPTIONS');
        await expectRefusal(() => s.find('items', { limit: -1 }), 'E_TABLE_BAD_OPTIONS');
        await expectRefusal(() => s.find('items', { offset: -5 }), 'E_TABLE_BAD_OPTIONS');
        expect((await s.find('items', { limit: 0 })).objects).toEqual([]);
      });

      it('pages are stable: equal sort keys never repeat or skip a record', async () => {
        await s.createMany(
          'items',
          Array.from({ length: 53 }, (_, i) => ({ title: `t${i}`, qty: i % 3 })),
        );
        const seen: string[] = [];
        for (let offset = 0; offset < 60; offset += 7) {
          seen.push(...ids(await s.find('items', { orderBy: ['-qty'], limit: 7, offset })));
        }
        expect(seen).toHaveLength(53);
        expect(new Set(seen).size).toBe(53);
        const again: string[] = [];
        for (let offset = 0; offset < 60; offset += 7) {
          again.push(...ids(await s.find('items', { orderBy: ['-qty'], limit: 7, offset })));
        }
        expect(again).toEqual(seen);
      });

      it('orders by one or several fields, ascending or descending', async () => {
        await seed();
        const byQty = await s.find('items', { orderBy: ['-qty'], keys: ['qty'] });
        expect(byQty.objects.map((r) => r.qty)).toEqual([10, 7, 3, 1, 1]);
        const two = await s.find('items', { orderBy: ['qty', '-title'], keys: ['title'] });
        expect(two.objects.map((r) => r.title)).toEqual([
          '西瓜',
          'empty',
          'Apple',
          'Cherry 🍒',
          'banana',
        ]);
        await expectRefusal(() => s.find('items', { orderBy: ['nope'] }), 'E_TABLE_BAD_OPTIONS');
        await expectRefusal(
          () => s.find('items', { orderBy: ['title; DROP TABLE t_items'] }),
          'E_TABLE_BAD_OPTIONS',
        );
      });

      it('withCount: false leaves total_count out', async () => {
        await seed();
        const page = await s.find('items', { withCount: false });
        expect(page.meta.total_count).toBeUndefined();
        expect(page.objects).toHaveLength(5);
      });
    });

    describe('find: operators', () => {
      const titles = async (where: Record<string, unknown>) =>
        (await s.find('items', { where, keys: ['title'], limit: 1000 })).objects.map(
          (r) => r.title as string,
        );

      beforeEach(async () => {
        await seed();
      });

      it('$eq / $ne (null-inclusive) / shorthand', async () => {
        expect(await titles({ title: { $eq: 'Apple' } })).toEqual(['Apple']);
        expect(await titles({ title: 'Apple' })).toEqual(['Apple']);
        expect(await titles({ paid: { $eq: false } })).toEqual(['banana']);
        expect(await titles({ paid: { $ne: true } })).toEqual(['banana', '西瓜', 'empty']);
        expect(await titles({ price: { $eq: null } })).toEqual(['西瓜', 'empty']);
        expect(await titles({ price: { $ne: null } })).toEqual(['Apple', 'banana', 'Cherry 🍒']);
        expect(await titles({ qty: { $eq: '10' } })).toEqual(['banana']);
      });

      it('$lt $lte $gt $gte on numbers, strings and dates', async () => {
        expect(await titles({ qty: { $gt: 3 } })).toEqual(['banana', 'Cherry 🍒']);
        expect(await titles({ qty: { $gte: 3, $lt: 10 } })).toEqual(['Apple', 'Cherry 🍒']);
        expect(await titles({ price: { $lte: 1.5 } })).toEqual(['Apple', 'banana']);
        expect(await titles({ title: { $lt: 'B' } })).toEqual(['Apple']);
        expect(await titles({ when: { $gte: '2024-02-01' } })).toEqual(['banana', 'Cherry 🍒']);
        expect(await titles({ when: { $lt: '2024-02-01T00:00:00+08:00' } })).toEqual(['Apple']);
      });

      it('$contains is a case-sensitive substring test', async () => {
        expect(await titles({ title: { $contains: 'an' } })).toEqual(['banana']);
        expect(await titles({ title: { $contains: 'AN' } })).toEqual([]);
        expect(await titles({ title: { $contains: '🍒' } })).toEqual(['Cherry 🍒']);
        expect(await titles({ title: { $contains: "%'_" } })).toEqual([]);
      });

      it('$regex with flags i, m, s, u', async () => {
        expect(await titles({ title: { $regex: '^a' } })).toEqual([]);
        expect(await titles({ title: { $regex: '^a', $options: 'i' } })).toEqual(['Apple']);
        expect(await titles({ title: { $regex: '^[\\u4e00-\\u9fff]+$' } })).toEqual(['西瓜']);
        expect(
          await titles({ title: { $regex: '\\p{Emoji_Presentation}', $options: 'u' } }),
        ).toEqual(['Cherry 🍒']);
        await create({ title: 'line1\nline2' });
        expect(await titles({ title: { $regex: '^line2$' } })).toEqual([]);
        expect(await titles({ title: { $regex: '^line2$', $options: 'm' } })).toEqual([
          'line1\nline2',
        ]);
        expect(await titles({ title: { $regex: 'line1.line2' } })).toEqual([]);
        expect(await titles({ title: { $regex: 'line1.line2', $options: 's' } })).toEqual([
          'line1\nline2',
        ]);
        expect(await titles({ 'meta.color': { $regex: '^r' } })).toEqual(['Apple', 'Cherry 🍒']);
      });

      it('$regex refuses bad patterns and runs catastrophic ones in linear time', async () => {
        for (const bad of [
          { $regex: '(' },
          { $regex: 'a', $options: 'x' },
          { $regex: 'a', $options: 'y' },
          { $regex: 5 },
          { $regex: 'x'.repeat(300) },
        ]) {
          await expectRefusal(
            () => s.find('items', { where: { title: bad } }),
            'E_TABLE_BAD_REGEX',
          );
        }
        // What the linear-time matcher cannot run (test/security/05-regex-dos.test.ts).
        for (const unrunnable of ['(a)\\1', '(?=a)a', '(?<!a)b', '\\w{1000}']) {
          await expectRefusal(
            () => s.find('items', { where: { title: { $regex: unrunnable } } }),
            'E_TABLE_BAD_REGEX',
          );
        }
        // Patterns that backtrack catastrophically in JavaScript are answered.
        for (const evil of [
          '(a+)+$',
          '(a*)*b',
          '(a|a)*$',
          '(a|ab)*c',
          '(\\w+\\s?)+$',
          '(x+x+)+y',
          '(.*a){12}',
        ]) {
          const page = await s.find('items', { where: { title: { $regex: evil } } });
          expect(Array.isArray(page.objects), evil).toBe(true);
        }
        await expectRefusal(
          () => s.find('items', { where: { title: { $options: 'i' } } }),
          'E_TABLE_BAD_WHERE',
        );
      });

      it('$in and $nin on scalars and on arrays; empty lists', async () => {
        expect(await titles({ qty: { $in: [1, 7] } })).toEqual(['Cherry 🍒', '西瓜', 'empty']);
        expect(await titles({ title: { $in: [] } })).toEqual([]);
        expect(await titles({ qty: { $nin: [1, 7] } })).toEqual(['Apple', 'banana']);
        expect(await titles({ price: { $nin: [1.5] } })).toEqual([
          'banana',
          'Cherry 🍒',
          '西瓜',
          'empty',
        ]);
        expect(await titles({ title: { $nin: [] } })).toHaveLength(5);
        expect(await titles({ tags: { $in: ['yellow', 'red'] } })).toEqual([
          'Apple',
          'banana',
          'Cherry 🍒',
        ]);
        expect(await titles({ tags: { $nin: ['fruit'] } })).toEqual(['Cherry 🍒', '西瓜', 'empty']);
        expect(await titles({ nums: { $in: ['3'] } })).toEqual(['banana']);
        expect(await titles({ paid: { $in: [false] } })).toEqual(['banana']);
      });

      it('$all (arrayContains) and array equality', async () => {
        expect(await titles({ tags: { $all: ['red', 'fruit'] } })).toEqual(['Apple']);
        expect(await titles({ tags: { $all: ['red'] } })).toEqual(['Apple', 'Cherry 🍒']);
        expect(await titles({ tags: { $all: ['red', 'red'] } })).toEqual(['Apple', 'Cherry 🍒']);
        expect(await titles({ tags: { $all: [] } })).toHaveLength(5);
        expect(await titles({ tags: { $eq: ['red'] } })).toEqual(['Cherry 🍒']);
        expect(await titles({ tags: { $eq: [] } })).toEqual(['西瓜']);
        expect(await titles({ tags: 'yellow' })).toEqual(['banana']);
        expect(await titles({ tags: { $ne: 'red' } })).toEqual(['banana', '西瓜', 'empty']);
        await expectRefusal(
          () => s.find('items', { where: { title: { $all: ['a'] } } }),
          'E_TABLE_BAD_WHERE',
        );
      });

      it('$isnull, $exists, $has_key and dotted paths into objects', async () => {
        expect(await titles({ price: { $isnull: true } })).toEqual(['西瓜', 'empty']);
        expect(await titles({ price: { $isnull: false } })).toEqual([
          'Apple',
          'banana',
          'Cherry 🍒',
        ]);
        expect(await titles({ meta: { $exists: false } })).toEqual(['empty']);
        expect(await titles({ meta: { $has_key: 'color' } })).toEqual([
          'Apple',
          'banana',
          'Cherry 🍒',
        ]);
        expect(await titles({ meta: { $has_key: 'ripe' } })).toEqual(['Cherry 🍒']);
        expect(await titles({ 'meta.ripe': { $exists: true } })).toEqual(['Cherry 🍒']);
        expect(await titles({ 'meta.ripe': { $isnull: true } })).toEqual([
          'Apple',
          'banana',
          'Cherry 🍒',
          '西瓜',
          'empty',
        ]);
        expect(await titles({ 'meta.color': 'red' })).toEqual(['Apple', 'Cherry 🍒']);
        expect(await titles({ 'meta.size.w': { $gte: 1 } })).toEqual(['Apple']);
        expect(await titles({ 'meta.size': { $has_key: 'w' } })).toEqual(['Apple']);
        expect(await titles({ 'meta.color': { $in: ['yellow'] } })).toEqual(['banana']);
        await expectRefusal(
          () => s.find('items', { where: { meta: { $eq: { color: 'red' } } } }),
          'E_TABLE_BAD_WHERE',
        );
        await expectRefusal(
          () => s.find('items', { where: { 'title.x': 1 } }),
          'E_TABLE_BAD_WHERE',
        );
      });

      it('$and / $or nest to any (bounded) depth; empty lists are true / false', async () => {
        expect(
          await titles({ $or: [{ qty: 10 }, { $and: [{ paid: true }, { price: { $gt: 2 } }] }] }),
        ).toEqual(['banana', 'Cherry 🍒']);
        expect(await titles({ $and: [] })).toHaveLength(5);
        expect(await titles({ $or: [] })).toEqual([]);
        let deep: Record<string, unknown> = { title: 'Apple' };
        for (let i = 0; i < 30; i++)
          deep = i % 2 ? { $and: [deep] } : { $or: [deep, { title: 'nope' }] };
        expect(await titles(deep)).toEqual(['Apple']);
        expect(await titles({ title: { $in: ['Apple', 'banana'] }, qty: { $gt: 5 } })).toEqual([
          'banana',
        ]);
      });

      it('system fields can be queried and ordered', async () => {
        const all = await s.find('items', { orderBy: ['-created_at'] });
        const first = all.objects.at(-1)!;
        expect(await titles({ id: first.id })).toHaveLength(1);
        expect(await titles({ created_at: { $gte: first.created_at } })).toHaveLength(5);
        expect(await titles({ created_by: { $isnull: true } })).toHaveLength(5);
      });

      it('refuses unknown fields, unknown operators and wrong-type operands with a 400', async () => {
        await expectRefusal(() => s.find('items', { where: { nope: 1 } }), 'E_TABLE_UNKNOWN_FIELD');
        await expectRefusal(
          () => s.find('items', { where: { title: { $like: 'a' } } }),
          'E_TABLE_BAD_WHERE',
        );
        await expectRefusal(() => s.find('items', { where: { $nor: [] } }), 'E_TABLE_BAD_WHERE');
        await expectRefusal(
          () => s.find('items', { where: { qty: { $gt: 'abc' } } }),
          'E_TABLE_BAD_WHERE',
        );
        await expectRefusal(
          () => s.find('items', { where: { paid: { $eq: 'yes' } } }),
          'E_TABLE_BAD_WHERE',
        );
        await expectRefusal(
          () => s.find('items', { where: { when: { $gt: 'yesterday' } } }),
          'E_TABLE_BAD_WHERE',
        );
        await expectRefusal(
          () => s.find('items', { where: { qty: { $contains: '1' } } }),
          'E_TABLE_BAD_WHERE',
        );
        await expectRefusal(
          () => s.find('items', { where: { qty: { $in: 5 } } }),
          'E_TABLE_BAD_WHERE',
        );
        await expectRefusal(
          () => s.find('items', { where: { qty: { $in: [null] } } }),
          'E_TABLE_BAD_WHERE',
        );
        await expectRefusal(() => s.find('items', { where: { $and: {} } }), 'E_TABLE_BAD_WHERE');
        await expectRefusal(() => s.find('items', { where: { title: {} } }), 'E_TABLE_BAD_WHERE');
      });

      it('count follows the same where', async () => {
        expect(await s.count('items')).toBe(5);
        expect(await s.count('items', { tags: { $all: ['fruit'] } })).toBe(2);
        await expectRefusal(() => s.count('items', { nope: 1 }), 'E_TABLE_UNKNOWN_FIELD');
      });
    });

    describe('change events', () => {
      it('fires once per committed record change, with before and after', async () => {
        if (!subject.events) return;
        const seen: TableChange[] = [];
        const off = subject.events.onChange((c) => seen.push(c));
        const r = await create({ title: 'a' });
        await s.updateRecord('items', r.id, { qty: 5 });
        await refusal(() => s.updateRecord('items', r.id, { qty: 'x' }));
        await s.createMany('items', [{ title: 'b' }, { title: 'c' }]);
        await s.deleteWhere('items', { title: { $in: ['b', 'c'] } });
        await s.deleteRecord('items', r.id);
        off();
        await create({ title: 'after off' });
        expect(seen.map((c) => c.event)).toEqual([
          'create',
          'update',
          'create',
          'create',
          'delete',
          'delete',
          'delete',
        ]);
        expect(seen[1]).toMatchObject({
          table: { name: 'items' },
          before: { qty: 1 },
          after: { qty: 5 },
        });
        expect(seen[6]).toMatchObject({ before: { id: r.id, qty: 5 }, after: null });
        expect(seen[0]!.before).toBeNull();
      });
    });
  });
}
