/**
 * A table's schema changed through one process is in force on the other within a second,
 * for its REST API and for the functions its executors run (each executor has its own
 * connection and schema cache): a table created on A, a field added on A after B cached the
 * table, a table dropped on A. The processes are real `cloudfn serve`s on one PostgreSQL
 * schema (the store-level check of the same bound: tables/postgres-concurrency.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../../helpers/cluster.ts';
import { postgresAvailable } from '../../helpers/postgres.ts';

const pgUp = await postgresAvailable();
const A = 0;
const B = 1;
/** The bound the issue sets: a change on one process is in force on every other within 1 s. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 1000));

let cluster: Cluster;

beforeAll(async () => {
  if (!pgUp) return;
  // A only receives (it saves, it never runs a function): B's answers come from B alone.
  cluster = await startCluster({ roles: ['receiver', 'all'] });
  await cluster.deployFunction(
    A,
    'write_note',
    `exports.main = async (event) => {
      const saved = await new BaaS.TableObject('notes').create().set(event.data).save();
      return saved.data;
    }`,
  );
}, 60_000);

afterAll(async () => {
  await cluster?.close();
});

const invokeOnB = async (data: object) =>
  (await cluster.ok(B, 'POST', '/functions/write_note/invoke', { data })).body;

describe.skipIf(!pgUp)('table schemas across processes', () => {
  it('a table created on A is written on B, through its API and a function, a second after', async () => {
    // B looks the table up first (and finds none), so a stale "no such table" would show.
    expect((await cluster.api(B, 'GET', '/tables/notes')).status).toBe(404);
    expect(await invokeOnB({ text: 'too early' })).toMatchObject({
      code: 1, // the run failed: its function let the refusal through
      error: expect.objectContaining({ code: 'E_TABLE_NOT_FOUND' }),
    });
    await cluster.ok(A, 'POST', '/tables', {
      name: 'notes',
      fields: [{ name: 'text', type: 'string' }],
    });
    await settle();
    expect(
      (await cluster.ok(B, 'POST', '/tables/notes/records', { text: 'via B api' })).body,
    ).toMatchObject({ text: 'via B api' });
    expect(await invokeOnB({ text: 'via B function' })).toMatchObject({
      code: 0,
      data: { text: 'via B function' },
    });
  });

  it('a field added on A after B cached the table is written on B a second after', async () => {
    // B has the table cached (in its main process and its executor) from the test above.
    expect((await invokeOnB({ text: 'cached' })).code).toBe(0);
    await cluster.ok(A, 'POST', '/tables/notes/fields', {
      fields: [{ name: 'stars', type: 'integer', default: 0 }],
    });
    await settle();
    expect(
      (await cluster.ok(B, 'POST', '/tables/notes/records', { text: 'api', stars: 4 })).body,
    ).toMatchObject({ stars: 4 });
    expect(await invokeOnB({ text: 'function', stars: 5 })).toMatchObject({
      code: 0,
      data: { text: 'function', stars: 5 },
    });
    const seen = await cluster.ok(A, 'GET', '/tables/notes/records?order_by=created_at&limit=100');
    expect(seen.body.objects.map((r: { stars: number }) => r.stars)).toEqual([0, 0, 0, 4, 5]);
  });

  it('a table dropped on A is gone on B a second after', async () => {
    await cluster.ok(A, 'DELETE', '/tables/notes');
    await settle();
    expect((await cluster.api(B, 'GET', '/tables/notes/records')).body.error.code).toBe(
      'E_TABLE_NOT_FOUND',
    );
    expect(await invokeOnB({ text: 'gone' })).toMatchObject({
      code: 1, // the run failed: its function let the refusal through
      error: expect.objectContaining({ code: 'E_TABLE_NOT_FOUND' }),
    });
  });
});
