/**
 * Tables on PostgreSQL reached from a function: a real executor process loads the PostgreSQL
 * HostOps module (engine/tables/postgres/sandbox-host-ops.ts), the guest's table calls are
 * answered asynchronously, changes come back as `table.change` events, and 50 concurrent
 * incrementBy(1) runs add exactly 50, seen through another store.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresTableStore } from '../../../engine/tables/postgres/table-store.ts';
import type { TableChange } from '../../../engine/tables/table-store.ts';
import { createSandbox, type SupervisedSandbox } from '../../../runtime/index.ts';
import { createTestSchema, postgresAvailable, type TestSchema } from '../../helpers/postgres.ts';
import { deploy, run } from '../runtime/harness.ts';

const pgUp = await postgresAvailable();
const MODULE = fileURLToPath(
  new URL('../../../engine/tables/postgres/sandbox-host-ops.ts', import.meta.url),
);

describe.skipIf(!pgUp)('tables on PostgreSQL from a function', () => {
  let schema: TestSchema;
  let store: PostgresTableStore;
  let sandbox: SupervisedSandbox;
  const changes: TableChange[] = [];

  beforeAll(async () => {
    schema = await createTestSchema('tables_fn');
    store = await PostgresTableStore.open({ url: schema.url, poolSize: 2 });
    await store.createTable({
      name: 'visits',
      fields: [
        { name: 'page', type: 'string', index: true },
        { name: 'n', type: 'integer', default: 0 },
      ],
    });
    sandbox = createSandbox({
      hostOps: { module: MODULE, options: { url: schema.url, poolSize: 4 } },
      onHostEvent: (kind, payload) => {
        if (kind === 'table.change') changes.push(payload as TableChange);
      },
    });
    await sandbox.ready();
  });

  afterAll(async () => {
    await sandbox?.close();
    await store?.close();
    await schema?.drop();
  });

  it('creates, finds and refuses as on SQLite', async () => {
    const fn = await deploy(
      'pg_visits',
      `exports.main = async () => {
        const T = new BaaS.TableObject('visits');
        const saved = (await T.create().set({ page: 'home' }).save()).data;
        const found = (await T.setQuery(new BaaS.Query().compare('page', '=', 'home')).find({ withCount: true })).data;
        let refused;
        try { await T.create().set({ n: 'many' }).save(); } catch (e) { refused = e.reason; }
        return { id: saved.id, count: found.meta.total_count, refused };
      }`,
    );
    const out = await run(sandbox, fn);
    expect(out).toMatchObject({
      status: 'fulfilled',
      result: { count: 1, refused: 'E_TABLE_FIELD_TYPE' },
    });
    const id = (out.result as { id: string }).id;
    expect(await store.getRecord('visits', id)).toMatchObject({ page: 'home', n: 0 });
    await expect.poll(() => changes.some((c) => c.after?.id === id)).toBe(true);
  });

  it('50 concurrent incrementBy(1) from functions add exactly 50, one change event each', async () => {
    const record = await store.createRecord('visits', { page: 'counter' });
    const before = changes.length;
    // Two functions of 25 runs each: one function runs at most 32 invocations at once.
    const source = `exports.main = async (event) => {
        const r = new BaaS.TableObject('visits').getWithoutData(event.data.id);
        r.incrementBy('n', 1);
        return (await r.update()).data.n;
      }`;
    const fns = [await deploy('pg_increment_a', source), await deploy('pg_increment_b', source)];
    const outs = await Promise.all(
      Array.from({ length: 50 }, (_, i) => run(sandbox, fns[i % 2]!, { id: record.id })),
    );
    expect(outs.filter((o) => o.status !== 'fulfilled')).toEqual([]);
    expect(outs.map((o) => o.result as number).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
    expect((await store.getRecord('visits', record.id)).n).toBe(50);
    await expect.poll(() => changes.length - before).toBe(50);
  });
});
