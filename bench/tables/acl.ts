/**
 * What record ACLs cost a run made for a user: each table call through tablesForUser
 * against the same call on the bare store, in one run, as ratios.
 * `npm exec -- node --no-node-snapshot bench/tables/acl.ts [count]`
 *
 * A quarter of the records carry no lists, a quarter `user:*`, a quarter the user's own id,
 * a quarter another user's; the user reads 3/4 of them and writes the same 3/4.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { asyncTableStore } from '../../engine/tables/index.ts';
import { SqliteTableStore } from '../../engine/tables/sqlite/index.ts';
import { tablesForUser } from '../../engine/tables/tables-for-user.ts';

const count = Number(process.argv[2] ?? 20_000);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudfn-acl-bench-'));
const USER = 7;
const perms = [undefined, ['user:*'], [`user:${USER}`], ['user:8']];

async function measure(rounds: number, fn: (i: number) => unknown): Promise<number> {
  for (let i = 0; i < Math.min(rounds, 20); i++) await fn(i); // warm the statement cache
  const start = performance.now();
  for (let i = 0; i < rounds; i++) await fn(i);
  return (performance.now() - start) / rounds;
}

try {
  const store = new SqliteTableStore({ path: path.join(dir, 'tables.db') });
  store.createTable({
    name: 'notes',
    fields: [
      { name: 'n', type: 'integer', index: true },
      { name: 'text', type: 'string' },
    ],
  });
  const ids: Array<string | number> = [];
  for (let i = 0; i < count; i += 1000) {
    const items = Array.from({ length: Math.min(1000, count - i) }, (_, k) => {
      const p = perms[(i + k) % perms.length];
      return { n: i + k, text: 'x', ...(p ? { read_perm: p, write_perm: p } : {}) };
    });
    const res = store.createMany('notes', items);
    for (const r of res.operation_result) ids.push(r.success!.id);
  }
  // The bare store through the port too, so both columns pay the same promise per call.
  const port = asyncTableStore(store);
  const asUser = tablesForUser(port, USER);
  const rows: Array<[string, number, number]> = [];
  const pair = async (
    label: string,
    rounds: number,
    bare: (i: number) => unknown,
    acl: (i: number) => unknown,
  ) => rows.push([label, await measure(rounds, bare), await measure(rounds, acl)]);

  const page = (i: number) => ({ n: { $gte: (i * 97) % count } });
  await pair(
    'find: a page of 20 by an indexed range',
    500,
    (i) => port.find('notes', { where: page(i), withCount: false }),
    (i) => asUser.find('notes', { where: page(i), withCount: false }),
  );
  await pair(
    'count: the whole table',
    20,
    () => port.count('notes'),
    () => asUser.count('notes'),
  );
  const readable = ids.filter((_, i) => i % perms.length !== 3);
  await pair(
    'get by id',
    2000,
    (i) => port.getRecord('notes', readable[i % readable.length]!),
    (i) => asUser.getRecord('notes', readable[i % readable.length]!),
  );
  await pair(
    'update one record',
    1000,
    (i) => port.updateRecord('notes', readable[i % readable.length]!, { text: `b${i}` }),
    (i) => asUser.updateRecord('notes', readable[i % readable.length]!, { text: `u${i}` }),
  );
  const band = (i: number) => ({
    n: { $gte: (i * 131) % (count - 100), $lt: ((i * 131) % (count - 100)) + 100 },
  });
  await pair(
    'update by query: 100 matched',
    100,
    (i) => port.updateWhere('notes', band(i), { text: `b${i}` }),
    (i) => asUser.updateWhere('notes', band(i), { text: `u${i}` }),
  );
  store.close();
  console.log(`${count} records; ms per call (bare store / as a user / ratio):`);
  for (const [label, bare, acl] of rows)
    console.log(
      `  ${label.padEnd(40)} ${bare.toFixed(3)} / ${acl.toFixed(3)} / ${(acl / bare).toFixed(2)}×`,
    );
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
