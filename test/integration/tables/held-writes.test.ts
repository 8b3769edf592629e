/**
 * SqliteTableStore's held writes (the executor's quick runs share one commit, issue 19), on
 * real SQLite files, seen from a second connection as the main process would see them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteTableStore } from '../../../engine/tables/sqlite/table-store.ts';
import type { TableChange } from '../../../engine/tables/table-store.ts';

let dir: string;
let executor: SqliteTableStore;
let main: SqliteTableStore;
let changes: TableChange[];

const codes = (store: SqliteTableStore): string[] =>
  store.find('cards', { orderBy: ['code'] }).objects.map((r) => r.code as string);
const changed = (): string[] => changes.map((c) => c.after?.code as string);

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cloudfn-held-'));
  const path = join(dir, 'tables.db');
  main = new SqliteTableStore({ path, busyTimeoutMs: 0 });
  main.createTable({
    name: 'cards',
    fields: [
      { name: 'code', type: 'string' },
      { name: 'n', type: 'integer' },
    ],
  });
  executor = new SqliteTableStore({ path });
  changes = [];
  executor.onChange((c) => changes.push(c));
});

afterEach(() => {
  executor.close();
  main.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A raw connection to add what no API makes (a constraint checked at COMMIT, a trigger). */
function raw(sql: string): void {
  const db = new Database(join(dir, 'tables.db'));
  db.exec(sql);
  db.close();
}

describe('held writes', () => {
  it('share one transaction: visible to others, with their events, only once settled', () => {
    executor.holdingWritesOf('job-1', () => executor.createRecord('cards', { code: 'a' }));
    executor.holdingWritesOf('job-2', () => executor.createRecord('cards', { code: 'b' }));
    // The holding connection reads its own; the other one sees nothing yet, and no event left.
    expect(executor.holdingWritesOf('job-2', () => codes(executor))).toEqual(['a', 'b']);
    expect(codes(main)).toEqual([]);
    expect(changes).toEqual([]);
    expect(executor.heldSince).toBeTypeOf('number');

    expect(executor.settleHeld()).toEqual([]);
    expect(codes(main)).toEqual(['a', 'b']);
    expect(changed()).toEqual(['a', 'b']);
    expect(executor.heldSince).toBeUndefined();
  });

  it('hold the write lock until settled: another writer is refused meanwhile, then served', () => {
    executor.holdingWritesOf('job-1', () => executor.createRecord('cards', { code: 'a' }));
    expect(() => main.createRecord('cards', { code: 'rest' })).toThrow(/locked|busy/i);
    executor.settleHeld();
    expect(main.createRecord('cards', { code: 'rest' }).code).toBe('rest');
  });

  it('undo a write that fails alone: the others of the transaction commit', () => {
    executor.holdingWritesOf('job-1', () => executor.createRecord('cards', { code: 'a' }));
    // The second record is refused after the first was inserted: the savepoint undoes both.
    expect(() =>
      executor.holdingWritesOf('job-2', () =>
        executor.createMany('cards', [{ code: 'b' }, { code: 'c', n: 'not a number' }]),
      ),
    ).toThrow(expect.objectContaining({ code: 'E_TABLE_FIELD_TYPE' }) as Error);
    executor.holdingWritesOf('job-3', () =>
      executor.updateWhere('cards', { code: { $eq: 'a' } }, { n: 7 }),
    );
    expect(executor.settleHeld()).toEqual([]);
    expect(main.find('cards').objects.map((r) => [r.code, r.n])).toEqual([['a', 7]]);
    expect(changes.map((c) => [c.event, c.after?.code])).toEqual([
      ['create', 'a'],
      ['update', 'a'],
    ]);
  });

  it('are committed first by a call made without holding, which then sees them', () => {
    executor.holdingWritesOf('job-1', () => executor.createRecord('cards', { code: 'a' }));
    expect(codes(executor)).toEqual(['a']);
    expect(codes(main)).toEqual(['a']);
    expect(changed()).toEqual(['a']);
    executor.holdingWritesOf('job-2', () => executor.createRecord('cards', { code: 'b' }));
    executor.createRecord('cards', { code: 'c' });
    expect(codes(main)).toEqual(['a', 'b', 'c']);
    expect(changed()).toEqual(['a', 'b', 'c']);
  });

  it('lost by a failed COMMIT: every run that wrote or read in it is reported, nothing is announced, the lock is let go', () => {
    // A deferred foreign key is checked at COMMIT: a row coded 'poison' makes the commit fail.
    raw(`CREATE TABLE guard (card TEXT REFERENCES nowhere(id) DEFERRABLE INITIALLY DEFERRED);
         CREATE TABLE nowhere (id TEXT PRIMARY KEY);
         CREATE TRIGGER poison AFTER INSERT ON t_cards WHEN NEW.code = 'poison'
           BEGIN INSERT INTO guard VALUES (NEW.id); END;`);
    executor.holdingWritesOf('writer', () => executor.createRecord('cards', { code: 'a' }));
    executor.holdingWritesOf('reader', () => executor.count('cards'));
    executor.holdingWritesOf('poisoner', () => executor.createRecord('cards', { code: 'poison' }));

    const lost = executor.settleHeld();
    expect(lost.map((l) => l.jobId).sort()).toEqual(['poisoner', 'reader', 'writer']);
    expect(lost[0]!.reason).toMatch(/FOREIGN KEY/);
    expect(codes(main)).toEqual([]);
    expect(changes).toEqual([]);
    expect(main.createRecord('cards', { code: 'rest' }).code).toBe('rest');
    // Reported once; the next held writes start afresh.
    executor.holdingWritesOf('later', () => executor.createRecord('cards', { code: 'b' }));
    expect(executor.settleHeld()).toEqual([]);
    expect(codes(main)).toEqual(['b', 'rest']);
  });

  it('lost when SQLite rolls the whole transaction back under a failed write, even if settled by another call', () => {
    raw(`CREATE TRIGGER rollback_all BEFORE INSERT ON t_cards WHEN NEW.code = 'boom'
           BEGIN SELECT RAISE(ROLLBACK, 'boom rolls everything back'); END;`);
    executor.holdingWritesOf('writer', () => executor.createRecord('cards', { code: 'a' }));
    expect(() =>
      executor.holdingWritesOf('boomer', () => executor.createRecord('cards', { code: 'boom' })),
    ).toThrow(/boom rolls everything back/);
    // A call made without holding goes on, outside: what was lost stays reported.
    executor.createRecord('cards', { code: 'c' });
    const lost = executor.settleHeld();
    expect(lost.map((l) => l.jobId).sort()).toEqual(['boomer', 'writer']);
    expect(codes(main)).toEqual(['c']);
    expect(changed()).toEqual(['c']);
  });

  it('are committed by close', () => {
    executor.holdingWritesOf('job-1', () => executor.createRecord('cards', { code: 'a' }));
    executor.close();
    expect(codes(main)).toEqual(['a']);
    executor = new SqliteTableStore({ path: join(dir, 'tables.db') });
  });
});
