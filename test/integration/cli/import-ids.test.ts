import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../../helpers/engine.ts';
import { runCli } from './run-cli.ts';

// `cloudfn tables import` is idempotent on `id` for any file, also an export of another
// engine's table (ids this table has never seen): a created record keeps the file's id, so a
// rerun finds it. JSON and CSV, through the real binary against a real engine.
describe('cloudfn tables import keeps ids', { timeout: 120_000 }, () => {
  let t: TestEngine;
  let dir: string;
  let env: Record<string, string>;
  const cli = (...args: string[]) => runCli(args, { env, cwd: dir });
  const write = (file: string, text: string) => {
    fs.writeFileSync(path.join(dir, file), text);
    return file;
  };
  const rows = async (table: string) =>
    (await t.api('GET', `/tables/${table}/records?limit=100&order_by=id`)).body.objects as Array<
      Record<string, unknown>
    >;
  const makeTable = async (name: string) =>
    expect(
      (
        await t.api('POST', '/tables', {
          name,
          fields: [
            { name: 'name', type: 'string' },
            { name: 'age', type: 'integer' },
            { name: 'vip', type: 'boolean' },
            { name: 'tags', type: 'array' },
          ],
        })
      ).status,
    ).toBe(201);

  // As another engine (or MinCloud) exported them: ids this engine never drew.
  const ID_A = '5f1d7a3e9c0b4a2d8e6f1a2b';
  const ID_B = '5f1d7a3e9c0b4a2d8e6f1a2c';

  beforeAll(async () => {
    t = await startTestEngine();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudfn-import-ids-'));
    env = { CLOUDFN_URL: t.engine.url, CLOUDFN_ADMIN_TOKEN: t.engine.adminToken };
  });

  afterAll(async () => {
    await t?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('imports the same JSON file twice into a fresh table: one row per id, ids kept', async () => {
    await makeTable('people_json');
    const file = write(
      'other-engine.json',
      JSON.stringify(
        [
          {
            id: ID_A,
            name: 'Ada',
            age: 36,
            vip: true,
            tags: ['x'],
            created_at: 1,
            created_by: null,
          },
          { id: ID_B, name: 'Lin', age: 20, vip: false, tags: [], created_at: 2 },
          { name: 'No id', age: 1 },
        ],
        null,
        2,
      ),
    );
    const first = await cli('tables', 'import', 'people_json', file);
    expect(first.stderr).toBe('');
    expect(first.stdout).toContain('3 created, 0 updated, 0 skipped');
    const second = await cli('tables', 'import', 'people_json', file);
    expect(second.stdout).toContain('1 created, 0 updated, 2 skipped');
    const after = await rows('people_json');
    // The record without an id is created each time (nothing to match it on); ids are kept.
    expect(after.map((r) => r.id).filter((id) => id === ID_A || id === ID_B)).toEqual([ID_A, ID_B]);
    expect(after).toHaveLength(4);

    write(
      'newer.json',
      JSON.stringify([{ id: ID_A, name: 'Ada L.', age: 37, vip: true, tags: ['x', 'y'] }]),
    );
    const update = await cli(
      'tables',
      'import',
      'people_json',
      'newer.json',
      '--on-conflict',
      'update',
    );
    expect(update.stdout).toContain('0 created, 1 updated, 0 skipped');
    expect((await t.api('GET', `/tables/people_json/records/${ID_A}`)).body).toMatchObject({
      name: 'Ada L.',
      age: 37,
      tags: ['x', 'y'],
    });
    expect(await rows('people_json')).toHaveLength(4);
  });

  it('imports the same CSV file twice into a fresh table: one row per id; --on-conflict update updates', async () => {
    await makeTable('people_csv');
    const csv = [
      'id,name,age,vip,tags,created_at,updated_at,created_by',
      `${ID_A},Ada,36,true,"[""x""]",1,1,`,
      `${ID_B},"Lin, the ""second""`,
      `line",20,false,[],2,2,`,
      '',
      `${ID_A.replace(/b$/, 'd')},'=SUM(A1),7,,,3,3,`,
    ].join('\r\n');
    write('people.csv', csv + '\r\n');
    const first = await cli('tables', 'import', 'people_csv', 'people.csv', '--json');
    expect(first.stderr).toBe('');
    expect(JSON.parse(first.stdout)).toMatchObject({ created: 3, updated: 0, skipped: 0 });
    const second = await cli('tables', 'import', 'people_csv', 'people.csv');
    expect(second.stdout).toContain('0 created, 0 updated, 3 skipped');
    const after = await rows('people_csv');
    expect(after).toHaveLength(3);
    expect(after[0]).toMatchObject({ id: ID_A, name: 'Ada', age: 36, vip: true, tags: ['x'] });
    expect(after[1]).toMatchObject({ id: ID_B, name: 'Lin, the "second"\r\nline', age: 20 });
    expect(after[2]).toMatchObject({ name: '=SUM(A1)', age: 7, vip: null, tags: null });

    // The table's own CSV export, edited and imported back with --on-conflict update.
    const exported = (await cli('tables', 'export', 'people_csv', '--format', 'csv')).stdout;
    write('edited.csv', exported.replace(',Ada,36,', ',Ada,40,'));
    const update = await cli(
      'tables',
      'import',
      'people_csv',
      'edited.csv',
      '--on-conflict',
      'update',
    );
    expect(update.stdout).toContain('0 created, 3 updated, 0 skipped');
    const updated = await rows('people_csv');
    expect(updated).toHaveLength(3);
    expect(updated[0]).toMatchObject({ id: ID_A, age: 40 });
    expect(updated[1]).toMatchObject({ id: ID_B, name: 'Lin, the "second"\r\nline' });

    // A refused CSV record is named by the line it starts on (the third record: line 6).
    write('bad.csv', csv.replace(',7,', ',seven,') + '\r\n');
    await makeTable('people_bad');
    const bad = await cli('tables', 'import', 'people_bad', 'bad.csv');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('bad.csv:6: ');
  });

  it('refuses a malformed id with a clear error, in the CLI and in the REST route', async () => {
    await makeTable('people_ids');
    write('bad-id.ndjson', `{"id": "${ID_A}", "name": "ok"}\n{"id": "abc", "name": "bad"}\n`);
    const run = await cli('tables', 'import', 'people_ids', 'bad-id.ndjson');
    expect(run.code).toBe(2); // a usage error: the file is wrong, nothing was sent
    expect(run.stderr).toContain('bad-id.ndjson:2: the id "abc" is not a record id.');
    expect(run.stderr).toContain('24 lowercase hex');
    expect(await rows('people_ids')).toHaveLength(0);

    const rest = await t.api('POST', '/tables/people_ids/records', [
      { id: ID_A, name: 'a' },
      { id: 'ZZ', name: 'b' },
    ]);
    expect(rest.status).toBe(400);
    expect(rest.body.error).toMatchObject({ code: 'E_TABLE_FIELD_TYPE', index: 1 });
    expect(rest.body.error.message).toContain("'id' must be 24 lowercase hex characters");
    const one = await t.api('POST', '/tables/people_ids/records', { id: ID_A, name: 'a' });
    expect(one.status).toBe(201);
    expect(one.body.id).toBe(ID_A);
    const again = await t.api('POST', '/tables/people_ids/records', { id: ID_A, name: 'a' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('E_TABLE_UNIQUE');
  });

  it("does not let functions choose ids: there `id` stays the engine's", async () => {
    expect(
      (
        await t.api('PUT', '/functions/sets_id', {
          code: `exports.main = async (event) => {
  const t = new BaaS.TableObject('people_ids');
  try {
    await t.create().set({ id: event.data.id, name: 'f' }).save();
    return 'saved';
  } catch (err) {
    return err.reason;
  }
};`,
        })
      ).status,
    ).toBe(201);
    const run = await t.api('POST', '/functions/sets_id/invoke', {
      data: { id: ID_B },
    });
    expect(run.body.data).toBe('E_TABLE_SYSTEM_FIELD');
    expect((await t.api('GET', `/tables/people_ids/records/${ID_B}`)).status).toBe(404);
  });
});
