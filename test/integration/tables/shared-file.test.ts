/**
 * The main process and the executors each open their own connection to the tables file: a
 * schema change made through one connection must be seen by the other, whose schema cache
 * was built before the change.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteTableStore } from '../../../engine/tables/sqlite/table-store.ts';

describe('two connections to one tables file', () => {
  let dir: string;
  let main: SqliteTableStore;
  let executor: SqliteTableStore;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'cloudfn-shared-'));
    main = new SqliteTableStore({ path: path.join(dir, 'tables.db') });
    executor = new SqliteTableStore({ path: path.join(dir, 'tables.db') });
    main.createTable({ name: 'events', fields: [{ name: 'kind', type: 'string' }] });
    executor.createRecord('events', { kind: 'a' }); // warms the executor's schema cache
  });

  afterEach(() => {
    main.close();
    executor.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sees fields added by the other connection', () => {
    main.addFields('events', [{ name: 'n', type: 'integer', default: 0 }]);
    expect(executor.createRecord('events', { kind: 'b', n: '5' }).n).toBe(5);
    expect(executor.find('events', { where: { n: { $gte: 0 } } }).objects.map((r) => r.n)).toEqual([
      0, 5,
    ]);
  });

  it('sees a table dropped and re-created with other fields', () => {
    main.dropTable('events');
    expect(() => executor.find('events')).toThrow(
      expect.objectContaining({ code: 'E_TABLE_NOT_FOUND' }),
    );
    main.createTable({ name: 'events', fields: [{ name: 'other', type: 'boolean' }] });
    expect(executor.createRecord('events', { other: true }).other).toBe(true);
    expect(() => executor.createRecord('events', { kind: 'a' })).toThrow(
      expect.objectContaining({ code: 'E_TABLE_UNKNOWN_FIELD' }),
    );
  });

  it('record writes of one connection are visible to the other; a rolled-back schema change is not cached', () => {
    const r = executor.createRecord('events', { kind: 'z' });
    expect(main.getRecord('events', r.id).kind).toBe('z');
    expect(() =>
      main.addFields('events', [
        { name: 'ok', type: 'string' },
        { name: 'must', type: 'string', required: true },
      ]),
    ).toThrow(expect.objectContaining({ code: 'E_TABLE_BAD_SCHEMA' }));
    expect(main.getTable('events').fields.map((f) => f.name)).toEqual(['kind']);
    expect(executor.getTable('events').fields.map((f) => f.name)).toEqual(['kind']);
  });
});
