import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteEngineStore } from '../../../engine/store/sqlite/engine-store.ts';
import { createSecretBox } from '../../../engine/secrets/secret-box.ts';
import { SqliteTableStore } from '../../../engine/tables/sqlite/index.ts';
import { PostgresTableStore } from '../../../engine/tables/postgres/index.ts';
import type { RecordData } from '../../../engine/tables/table-store.ts';
import { createTestSchema, postgresAvailable, type TestSchema } from '../../helpers/postgres.ts';
import { checkRow, runMigrate } from './migrate-cli.ts';

// Issue #17: a big table round-trips with its ids, times, creators, ACLs, insertion order
// and every field type (NULs, object key order, floats), counts and checksums printed.
// 100,000 rows under CLOUDFN_SLOW_TESTS=1 (CI), 5,000 otherwise.
const pgUp = await postgresAvailable();
const ROWS = process.env.CLOUDFN_SLOW_TESTS === '1' ? 100_000 : 5_000;
const USERS = 50;

function record(i: number): RecordData {
  return {
    name: i % 7 === 0 ? `nul\u0000and\u0001one ${i}` : `名前 ${i} 🎴`,
    n: i % 11 === 0 ? null : i * (i % 2 ? -1 : 1) * 1_000_003,
    x: i % 13 === 0 ? 0.1 + 0.2 : i / 7,
    flag: i % 3 === 0,
    day: new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString(),
    tags: i % 5 === 0 ? [] : ['a', i, { k: i % 4 === 0 ? '\u0000' : 'v' }],
    meta: { zeta: i, alpha: { yankee: [1, { delta: null, charlie: `c${i}` }] }, '': 'empty key' },
    spot: { type: 'Point', coordinates: [116.4 + i / 1e6, 39.9 - i / 1e6] },
    owner: (i % USERS) + 1,
    ...(i % 4 === 0 ? { read_perm: ['user:*'], write_perm: [`user:${(i % USERS) + 1}`] } : {}),
  };
}

describe.skipIf(!pgUp)(`cloudfn migrate: a ${ROWS}-row table`, () => {
  let tmp: string;
  let dataDir: string;
  let schema: TestSchema;
  let sqlite: SqliteTableStore;
  let postgres: PostgresTableStore | undefined;
  let droppedId: number;
  let expected: number;
  let bigId: number;
  let madeId: string;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudfn-migrate-rows-'));
    dataDir = path.join(tmp, 'data');
    fs.mkdirSync(dataDir);
    schema = await createTestSchema('migrate_rows');
    await openSqliteEngineStore(path.join(dataDir, 'engine.db'), {
      secrets: createSecretBox(randomBytes(32)),
    }).close();
    let clock = 1_700_000_000;
    sqlite = new SqliteTableStore({ path: path.join(dataDir, 'tables.db'), now: () => clock++ });
    droppedId = sqlite.createTable({ name: 'gone', fields: [] }).id;
    sqlite.dropTable('gone');
    sqlite.createMany(
      '_userprofile',
      Array.from({ length: USERS }, (_, i) => ({ nickname: `user ${i + 1}`, openid: `o${i + 1}` })),
    );
    sqlite.createTable({
      name: 'big',
      fields: [
        { name: 'name', type: 'string', index: true },
        { name: 'n', type: 'integer' },
        { name: 'x', type: 'number' },
        { name: 'flag', type: 'boolean' },
        { name: 'day', type: 'date' },
        { name: 'tags', type: 'array' },
        { name: 'meta', type: 'object' },
        { name: 'spot', type: 'geojson' },
        { name: 'owner', type: 'pointer', to: '_userprofile' },
      ],
    });
    for (let start = 0; start < ROWS; start += 1000)
      sqlite.createMany(
        'big',
        Array.from({ length: Math.min(1000, ROWS - start) }, (_, j) => record(start + j)),
        { createdBy: ((start / 1000) % USERS) + 1 },
      );
    // Gaps in the insertion order, and records updated after they were made.
    sqlite.deleteWhere('big', { n: { $gt: ROWS * 999_000 } });
    sqlite.updateWhere(
      'big',
      { flag: { $eq: true }, x: { $lt: 10 } },
      { $set: { name: 'updated' } },
    );
    // A field added later, with a default written into the existing records.
    sqlite.addFields('big', [{ name: 'added', type: 'string', default: 'dflt' }]);
    // Records of 600,000 characters: pages hold fewer rows than a batch (8M characters at most).
    sqlite.createTable({
      name: 'large',
      fields: [{ name: 'body', type: 'string', maxLength: 1_000_000 }],
    });
    sqlite.createMany(
      'large',
      Array.from({ length: 40 }, (_, i) => ({
        body: String.fromCharCode(65 + (i % 26)).repeat(600_000),
      })),
    );
    expected = sqlite.count('big');
    bigId = sqlite.getTable('big').id;
    // A store open on the data dir is an engine running there: the migration would refuse.
    sqlite.close();
  }, 300_000);

  /** The SQLite store, opened for the comparisons after the migration ran. */
  const reopen = () => (sqlite = new SqliteTableStore({ path: path.join(dataDir, 'tables.db') }));

  afterAll(async () => {
    await postgres?.close();
    await schema?.drop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('moves every row, and prints equal counts and checksums', async () => {
    const started = performance.now();
    const run = await runMigrate(dataDir, schema.url);
    const seconds = (performance.now() - started) / 1000;
    expect(run.code, run.stderr).toBe(0);
    const row = checkRow(run.stdout, 'tables.big')!;
    expect(row.slice(0, 2)).toEqual([String(expected), String(expected)]);
    expect(row[2]).toBe(row[3]);
    expect(row[4]).toBe('ok');
    expect(checkRow(run.stdout, 'tables._userprofile')!.slice(0, 2)).toEqual(['50', '50']);
    expect(checkRow(run.stdout, 'tables.large')).toEqual([
      '40',
      '40',
      expect.any(String),
      expect.any(String),
      'ok',
    ]);
    expect(run.stderr).toContain('tables.large: 40 rows copied');
    const rate = /tables\.big: \d+ rows copied \((\d+) rows\/s\)/.exec(run.stderr)?.[1];
    console.log(
      `migrate: ${expected} rows of tables.big copied at ${rate} rows/s; the whole command (copy + verify, start-up included) ${seconds.toFixed(1)} s; load ${os.loadavg()[0]!.toFixed(2)}\n${run.stdout}`,
    );
  }, 600_000);

  it('the PostgreSQL store answers the same records, in the same order', async () => {
    postgres = await PostgresTableStore.open({ url: schema.url });
    reopen();
    const total = sqlite.count('big');
    expect(await postgres.count('big')).toBe(total);
    for (const offset of [0, Math.floor(total / 2), total - 100]) {
      const a = sqlite.find('big', { limit: 100, offset });
      const b = await postgres.find('big', { limit: 100, offset });
      expect(b.objects).toEqual(a.objects);
    }
    expect(
      await postgres.find('big', { where: { name: { $contains: '\u0000and' } }, limit: 5 }),
    ).toEqual(sqlite.find('big', { where: { name: { $contains: '\u0000and' } }, limit: 5 }));
    expect(await postgres.getTable('big')).toEqual(sqlite.getTable('big'));
    expect(await postgres.find('_userprofile', { limit: 100 })).toEqual(
      sqlite.find('_userprofile', { limit: 100 }),
    );
  });

  it('keeps numbering after the moved rows: records go last, users and tables get new ids', async () => {
    const made = await postgres!.createRecord('big', { name: 'new' });
    madeId = made.id as string;
    const total = await postgres!.count('big');
    const last = await postgres!.find('big', { limit: 1, offset: total - 1 });
    expect(last.objects[0]!.id).toBe(made.id);
    const user = await postgres!.createRecord('_userprofile', { nickname: 'new user' });
    expect(user.id).toBe(USERS + 1);
    const table = await postgres!.createTable({ name: 'newer', fields: [] });
    expect(table.id).toBeGreaterThan(droppedId);
    expect(table.id).toBeGreaterThan(bigId);
    sqlite.close();
  });

  it('--verify-only finds one changed value', async () => {
    const client = new pg.Client({ connectionString: schema.url });
    await client.connect();
    try {
      const ident = `t${bigId}_big`;
      // The same number of rows again, one value changed by a billionth: only the checksum sees it.
      await client.query(`DELETE FROM "${ident}" WHERE id = $1`, [madeId]);
      await client.query(
        `UPDATE "${ident}" SET x = x + 1e-9 WHERE _seq = (SELECT _seq FROM "${ident}" ORDER BY _seq LIMIT 1 OFFSET 10)`,
      );
    } finally {
      await client.end();
    }
    const run = await runMigrate(dataDir, schema.url, ['--verify-only']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('E_MIGRATE_VERIFY_FAILED');
    const big = checkRow(run.stdout, 'tables.big')!;
    expect(big.slice(0, 2)).toEqual([String(expected), String(expected)]);
    expect(big[2]).not.toBe(big[3]);
    expect(big[4]).toBe('MISMATCH');
    expect(checkRow(run.stdout, 'engine.inbox')![4]).toBe('ok');
  }, 300_000);
});
