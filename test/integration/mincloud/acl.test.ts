import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteTableStore } from '../../../engine/tables/sqlite/index.ts';
import { startTestEngine, type TestEngine } from '../../helpers/engine.ts';
import { createTable, runOk } from './helpers.ts';

// MinCloud's per-record ACL fields, run on a real engine: schema/create-record.md ("设置
// ACL") and the entries schema/table.md lists.
let t: TestEngine;

beforeAll(async () => {
  t = await startTestEngine();
  await createTable(t, 'product', [{ name: 'name', type: 'string' }]);
});

afterAll(async () => {
  await t?.close();
});

describe('ACL fields', () => {
  // schema/create-record.md: record.set('write_perm', [...]); record.set('read_perm', [...])
  it('read_perm and write_perm are stored and returned on create and update', async () => {
    const res = await runOk(
      t,
      'set_acl',
      `exports.main = async function setACL() {
        let Product = new BaaS.TableObject('product')
        let record = Product.create()
        record.set('write_perm', [ "gid:656", "user:37087886"])
        record.set('read_perm', [ "user:37087886" ])
        let res = await record.save()
        const updated = await Product.getWithoutData(res.data.id).set('read_perm', ['user:*']).update()
        const read = await Product.get(res.data.id)
        return { created: res, updated: updated.data, read: read.data }
      }`,
    );
    expect(res.created.status).toBe(201);
    expect(res.created.data).toMatchObject({
      read_perm: ['user:37087886'],
      write_perm: ['gid:656', 'user:37087886'],
    });
    expect(res.updated).toMatchObject({
      read_perm: ['user:*'],
      write_perm: ['gid:656', 'user:37087886'],
    });
    expect(res.read).toEqual(res.updated);
  });

  it('an ACL entry MinCloud does not know is refused, naming the field', async () => {
    const res = await runOk(
      t,
      'bad_acl',
      `exports.main = async () => {
        try {
          await new BaaS.TableObject('product').create().set('read_perm', ['everyone']).save()
          return null
        } catch (e) {
          return { code: e.code, reason: e.reason, fields: e.details.fields }
        }
      }`,
    );
    expect(res).toEqual({ code: 400, reason: 'E_TABLE_FIELD_TYPE', fields: ['read_perm'] });
  });

  it('a tables file from before ACL fields gains their columns when opened', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudfn-acl-'));
    const file = path.join(dir, 'tables.db');
    try {
      const first = new SqliteTableStore({ path: file });
      first.createTable({ name: 'old', fields: [{ name: 'a', type: 'string' }] });
      const kept = first.createRecord('old', { a: 'x' });
      first.close();
      // Make the file look as it did before: no ACL columns, migration not done.
      const raw = new Database(file);
      raw.exec('ALTER TABLE "t_old" DROP COLUMN "read_perm"');
      raw.exec('ALTER TABLE "t_old" DROP COLUMN "write_perm"');
      raw.exec(`UPDATE _cf_meta SET value = 0 WHERE key = 'acl_columns'`);
      raw.close();
      const store = new SqliteTableStore({ path: file });
      expect(store.getRecord('old', kept.id)).toEqual(kept);
      const updated = store.updateRecord('old', kept.id, { write_perm: ['user:7'] });
      expect(updated.write_perm).toEqual(['user:7']);
      store.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it.todo(
    "read_perm/write_perm enforced for runs made for a user — not done: MinCloud's server SDK runs with admin rights and ignores ACLs, so enforcing them in functions would break functions that run unchanged on MinCloud; they are meant for client-facing access, which cloudfn does not serve yet (docs/mincloud.md)",
  );
});
