/**
 * Atomic updates between processes: two PostgresTableStores (two pools, as two engine
 * processes have) increment, append and remove on one record at once; nothing is lost and
 * each change is reported once, by the store that made it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresTableStore } from '../../../engine/tables/postgres/table-store.ts';
import type { TableChange } from '../../../engine/tables/table-store.ts';
import { createTestSchema, postgresAvailable, type TestSchema } from '../../helpers/postgres.ts';

const pgUp = await postgresAvailable();

describe.skipIf(!pgUp)('PostgresTableStore under concurrency', () => {
  let schema: TestSchema;
  let a: PostgresTableStore;
  let b: PostgresTableStore;

  beforeAll(async () => {
    schema = await createTestSchema('tables_conc');
    a = await PostgresTableStore.open({ url: schema.url, poolSize: 5 });
    b = await PostgresTableStore.open({ url: schema.url, poolSize: 5 });
    await a.createTable({
      name: 'counters',
      fields: [
        { name: 'n', type: 'integer', default: 0 },
        { name: 'seen', type: 'array', items: 'integer', default: [] },
        { name: 'stats', type: 'object', default: {} },
      ],
    });
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await schema?.drop();
  });

  it('50 concurrent incrementBy(1) from two stores add exactly 50, one change event each', async () => {
    const record = await a.createRecord('counters', {});
    const seenA: TableChange[] = [];
    const seenB: TableChange[] = [];
    const offA = a.onChange((c) => seenA.push(c));
    const offB = b.onChange((c) => seenB.push(c));
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        (i % 2 ? a : b).updateRecord('counters', record.id, { n: { $incr_by: 1 } }),
      ),
    );
    offA();
    offB();
    expect((await b.getRecord('counters', record.id)).n).toBe(50);
    expect(seenA).toHaveLength(25);
    expect(seenB).toHaveLength(25);
    // Each event saw the value its own update made: 1…50, each once.
    const afters = [...seenA, ...seenB].map((c) => c.after!.n as number).sort((x, y) => x - y);
    expect(afters).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });

  it('append, append_unique, remove and patchObject interleaved lose nothing', async () => {
    const record = await a.createRecord('counters', {});
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        (i % 2 ? a : b).updateRecord('counters', record.id, {
          seen: { $append_unique: [i, i % 5 === 0 ? -1 : i] },
          [`stats.k${i}`]: { $incr_by: i },
        }),
      ),
    );
    const after = await a.getRecord('counters', record.id);
    expect([...(after.seen as number[])].sort((x, y) => x - y)).toEqual([
      -1,
      ...Array.from({ length: 40 }, (_, i) => i),
    ]);
    expect(Object.keys(after.stats as object)).toHaveLength(40);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? a : b).updateRecord('counters', record.id, {
          seen: { $remove: [i] },
          stats: { $update: { [`p${i}`]: true } },
        }),
      ),
    );
    const last = await b.getRecord('counters', record.id);
    expect([...(last.seen as number[])].sort((x, y) => x - y)).toEqual([
      -1,
      ...Array.from({ length: 20 }, (_, i) => i + 20),
    ]);
    expect(Object.keys(last.stats as object)).toHaveLength(60);
  });

  it('a field another store adds is seen within a second, and its records keep working', async () => {
    await a.createTable({ name: 'later', fields: [{ name: 'x', type: 'integer' }] });
    // b caches the schema now …
    await b.createRecord('later', { x: 1 });
    await a.addFields('later', [{ name: 'y', type: 'string', default: 'd' }]);
    let record: Record<string, unknown> | undefined;
    const deadline = Date.now() + 1500;
    while (Date.now() < deadline) {
      try {
        record = await b.createRecord('later', { x: 2, y: 'new' });
        break;
      } catch (err) {
        expect((err as { code?: string }).code).toBe('E_TABLE_UNKNOWN_FIELD');
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    expect(record).toMatchObject({ x: 2, y: 'new' });
    expect((await b.find('later', { orderBy: ['x'] })).objects.map((r) => r.y)).toEqual([
      'd',
      'new',
    ]);
    await a.dropTable('later');
    await expect(b.find('later')).rejects.toMatchObject({ code: 'E_TABLE_NOT_FOUND' });
  });

  it('the user table gains custom fields before its first user exists', async () => {
    const users = await b.addFields('_userprofile', [{ name: 'level', type: 'integer' }]);
    expect(users.fields.map((f) => f.name)).toContain('level');
    await expect(b.dropTable('_content_group')).rejects.toMatchObject({ code: 'E_TABLE_BUILTIN' });
  });

  it('users created at once from two stores get distinct integer ids', async () => {
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? a : b).createRecord('_userprofile', { openid: `o${i}` }),
      ),
    );
    const users = await a.find('_userprofile', { limit: 100, orderBy: ['id'] });
    expect(users.objects.map((u) => u.id)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    await expect(b.createRecord('_userprofile', { openid: 'o3' })).rejects.toMatchObject({
      code: 'E_TABLE_UNIQUE',
      status: 409,
    });
  });
});
