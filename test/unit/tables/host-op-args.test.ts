/**
 * The arguments of the guest's table calls (engine/tables/host-ops.ts): the hot shapes
 * (`create`, `get`) are checked by hand, everything else by zod; the same calls pass and the
 * same calls fail, with zod's message naming what is wrong.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleTableOp } from '../../../engine/tables/host-ops.ts';
import { SqliteTableStore } from '../../../engine/tables/sqlite/table-store.ts';

describe('table call arguments', () => {
  let dir: string;
  let store: SqliteTableStore;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudfn-host-op-args-'));
    store = new SqliteTableStore({ path: path.join(dir, 'tables.db') });
    store.createTable({ name: 't', fields: [{ name: 'a', type: 'string' }] });
  });
  afterAll(() => {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const refused = (op: string, args: unknown) => {
    try {
      handleTableOp(store, op, args);
    } catch (e) {
      return { code: (e as { code?: string }).code, message: (e as Error).message };
    }
    return undefined;
  };

  it('creates and reads a row through the hand-checked shapes', () => {
    const created = handleTableOp(store, 'table.create', { table: 't', data: { a: 'x' } }) as {
      id: string;
    };
    expect(created).toMatchObject({ a: 'x' });
    expect(handleTableOp(store, 'table.get', { table: 't', id: created.id })).toMatchObject({
      a: 'x',
    });
    expect(
      handleTableOp(store, 'table.get', { table: 't', id: created.id, keys: ['a'] }),
    ).toMatchObject({ a: 'x' });
  });

  it.each([
    ['table.create', { table: 't', data: { a: 'x' }, extra: 1 }, /Unrecognized key/],
    ['table.create', { table: '', data: {} }, /at 'table'/],
    ['table.create', { table: 't', data: [] }, /at 'data'.*expected a JSON object/],
    ['table.create', { table: -1, data: {} }, /at 'table'/],
    ['table.create', { table: 't' }, /at 'data'/],
    ['table.create', null, /Invalid arguments for table.create/],
    ['table.get', { table: 't', id: {} }, /at 'id'/],
    ['table.get', { table: 't', id: 0 }, /at 'id'/],
    ['table.get', { table: 't', id: 'x'.repeat(65) }, /at 'id'/],
    ['table.get', { table: 't', id: 'a', keys: [1] }, /at 'keys.0'/],
    ['table.get', { table: 't', id: 'a', expand: 'a' }, /at 'expand'/],
    ['table.get', { table: 't', id: 'a', other: true }, /Unrecognized key/],
  ])('refuses %s %j with a message that says what is wrong', (op, args, message) => {
    const refusal = refused(op, args);
    expect(refusal?.code).toBe('E_TABLE_BAD_ARGS');
    expect(refusal?.message).toMatch(message);
  });
});
