/**
 * Three engines whose tables are on one PostgreSQL schema (the composition root picks the
 * PostgreSQL TableStore and the executors' PostgreSQL module when a database URL is set), each
 * with its own executor processes: a record a function writes through one is read through
 * another's REST API; 50 concurrent increments from functions on three add exactly 50, and the
 * table trigger (saved once: the engines share their state too) fires once for each change,
 * on the engine that made it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../../helpers/engine.ts';
import { createTestSchema, postgresAvailable, type TestSchema } from '../../helpers/postgres.ts';

const pgUp = await postgresAvailable();

/** An engine whose state and tables are on `databaseUrl` (several share one schema). */
const start = (databaseUrl: string): Promise<TestEngine> =>
  startTestEngine({ env: { CLOUDFN_DATABASE_URL: databaseUrl } });

describe.skipIf(!pgUp)('engines with their tables on PostgreSQL', () => {
  let schema: TestSchema;
  let a: TestEngine;
  let b: TestEngine;
  let c: TestEngine;

  beforeAll(async () => {
    schema = await createTestSchema('tables_engine');
    a = await start(schema.url);
    b = await start(schema.url);
    c = await start(schema.url);
  });

  afterAll(async () => {
    for (const r of [a, b, c]) await r?.close();
    await schema?.drop();
  });

  it('a record a function writes through one engine is read through the other', async () => {
    expect(
      (
        await a.api('POST', '/tables', {
          name: 'cards',
          fields: [
            { name: 'code', type: 'string', index: true },
            { name: 'n', type: 'integer', default: 0 },
          ],
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await a.api('POST', '/tables', {
          name: 'audit',
          fields: [{ name: 'what', type: 'string' }],
        })
      ).status,
    ).toBe(201);
    const trigger = await a.api('POST', '/triggers', {
      name: 'audit_cards',
      type: 'table',
      condition: { table: 'cards', on: ['create'] },
      actions: [{ type: 'table', table: 'audit', record: { what: 'card {{$after.code}}' } }],
    });
    expect(trigger.status, JSON.stringify(trigger.body)).toBe(201);
    const save = `exports.main = async (event) => {
      const r = await new BaaS.TableObject('cards').create().set({ code: event.data }).save();
      return r.data.id;
    }`;
    expect((await a.api('PUT', '/functions/save_card', { code: save })).status).toBe(201);
    const run = await a.api('POST', '/functions/save_card/invoke', { data: 'C-1' });
    expect(run.body).toMatchObject({ code: 0, status: 'fulfilled' });
    const seen = await b.api('GET', `/tables/cards/records/${run.body.data as string}`);
    expect(seen).toMatchObject({ status: 200, body: { code: 'C-1', n: 0 } });
    const list = await b.api(
      'GET',
      `/tables/cards/records?where=${encodeURIComponent('{"code":"C-1"}')}`,
    );
    expect(list.body.meta.total_count).toBe(1);
    // The trigger of engine a fired once for the change its executor made.
    await expect
      .poll(
        async () =>
          (await b.api('GET', '/tables/audit/records')).body.objects.map(
            (r: { what: string }) => r.what,
          ),
        {
          timeout: 10_000,
        },
      )
      .toEqual(['card C-1']);
  });

  it('50 concurrent incrementBy(1) from functions on three engines add 50; the trigger fires 50 times', async () => {
    await a.api('POST', '/tables', {
      name: 'counters',
      fields: [{ name: 'n', type: 'integer', default: 0 }],
    });
    await a.api('POST', '/tables', { name: 'bumps', fields: [{ name: 'n', type: 'integer' }] });
    const counter = (await a.api('POST', '/tables/counters/records', {})).body as { id: string };
    const bump = `exports.main = async (event) => {
      const r = new BaaS.TableObject('counters').getWithoutData(event.data);
      r.incrementBy('n', 1);
      return (await r.update()).data.n;
    }`;
    // The engines share their state as well as the tables (one database URL): the function and
    // the trigger are saved once. Two engines started after the save load them at start, so no
    // run can come before a process has the trigger.
    // The 50 updates queue on one row's lock: on a loaded machine that takes seconds.
    expect((await a.api('PUT', '/functions/bump', { code: bump, timeoutMs: 60_000 })).status).toBe(
      201,
    );
    const trigger = await a.api('POST', '/triggers', {
      name: 'count_bumps',
      type: 'table',
      condition: { table: 'counters', on: ['update'] },
      actions: [{ type: 'table', table: 'bumps', record: { n: '{{$after.n}}' } }],
    });
    expect(trigger.status, JSON.stringify(trigger.body)).toBe(201);
    const late = [await start(schema.url), await start(schema.url)];
    const engines = [a, ...late];
    const runs = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        engines[i % 3]!.api('POST', '/functions/bump/invoke', { data: counter.id }),
      ),
    );
    expect(runs.filter((r) => r.body?.status !== 'fulfilled')).toEqual([]);
    expect((await c.api('GET', `/tables/counters/records/${counter.id}`)).body.n).toBe(50);
    // Each change fired the trigger of the engine that made it, once: 50 records, n = 1…50.
    await expect
      .poll(
        async () => (await b.api('GET', '/tables/bumps/records?limit=0')).body.meta.total_count,
        {
          timeout: 20_000,
        },
      )
      .toBe(50);
    const bumps = await b.api('GET', '/tables/bumps/records?limit=100&order_by=n');
    expect(bumps.body.objects.map((r: { n: number }) => r.n)).toEqual(
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
    for (const r of late) await r.close();
  });
});
