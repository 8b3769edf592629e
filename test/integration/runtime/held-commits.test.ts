/**
 * The executor's table writes of quick runs share commits (issue 19): with the real tables
 * HostOps on a SQLite file, seen from a second connection as the engine's main process sees
 * it (busy_timeout 0: a write that would have to wait for the executor's lock fails at once).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteTableStore } from '../../../engine/tables/sqlite/table-store.ts';
import type { TableChange } from '../../../engine/tables/table-store.ts';
import { QUICK_STREAK } from '../../../runtime/executor/quick-record.ts';
import type { SupervisedSandbox } from '../../../runtime/index.ts';
import type { FunctionVersion, InvocationOutcome } from '../../../runtime/sandbox.ts';
import { deploy, run, testSandbox } from './harness.ts';

const SQLITE_HOST_OPS = fileURLToPath(
  new URL('../../../engine/tables/sqlite/sandbox-host-ops.ts', import.meta.url),
);

const WRITER = `exports.main = async (event) => {
  const saved = await new BaaS.TableObject('cards').create().set({ code: event.data }).save();
  return saved.data.id;
};`;

/** Optionally writes, then computes until a row coded 'marker' (written by the test) shows. */
const SPINNER = `exports.main = async (event) => {
  const cards = new BaaS.TableObject('cards');
  if (event.data) await cards.create().set({ code: event.data }).save();
  const q = new BaaS.Query(); q.compare('code', '=', 'marker');
  for (;;) if ((await cards.setQuery(q).count()) > 0) return 'saw the marker';
};`;

describe('table writes of quick runs share commits', () => {
  let dir: string;
  let dbPath: string;
  let sandbox: SupervisedSandbox;
  let main: SqliteTableStore;
  let writer: FunctionVersion;
  const changes: TableChange[] = [];

  const visible = (code: string): number => main.count('cards', { code: { $eq: code } });
  const announced = (code: string): number => changes.filter((c) => c.after?.code === code).length;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cloudfn-held-commits-'));
    dbPath = join(dir, 'tables.db');
    main = new SqliteTableStore({ path: dbPath, busyTimeoutMs: 0 });
    main.createTable({ name: 'cards', fields: [{ name: 'code', type: 'string' }] });
    sandbox = testSandbox({
      hostOps: { module: SQLITE_HOST_OPS, options: { dbPath } },
      onHostEvent: (kind, payload) =>
        kind === 'table.change' && changes.push(payload as TableChange),
    });
    await sandbox.ready();
    writer = await deploy('writer', WRITER);
    // Quick entries in a row make the version's writes held (quick-record.ts); a few more
    // than needed, for the first ones that compile.
    for (let i = 0; i < QUICK_STREAK + 6; i++)
      expect((await run(sandbox, writer, `warm-${i}`)).status).toBe('fulfilled');
  });

  afterAll(async () => {
    await sandbox.close();
    main.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('commits every run’s row before its outcome arrives, announcing each once', async () => {
    const codes = Array.from({ length: 16 }, (_, i) => `burst-${i}`);
    const seenAtOutcome: Array<[string, number]> = [];
    const outcomes = await Promise.all(
      codes.map((code) =>
        run(sandbox, writer, code).then((out) => {
          seenAtOutcome.push([code, visible(code)]);
          return out;
        }),
      ),
    );
    expect(outcomes.map((o) => o.status)).toEqual(codes.map(() => 'fulfilled'));
    expect(seenAtOutcome.filter(([, n]) => n !== 1)).toEqual([]);
    await expect.poll(() => codes.map(announced)).toEqual(codes.map(() => 1));
  });

  it('reports a run whose commit failed as failed, and announces no row it lost', async () => {
    // A deferred foreign key is checked at COMMIT: the row coded 'poison' makes it fail.
    const db = new Database(dbPath);
    db.exec(`CREATE TABLE guard (card TEXT REFERENCES nowhere(id) DEFERRABLE INITIALLY DEFERRED);
             CREATE TABLE nowhere (id TEXT PRIMARY KEY);
             CREATE TRIGGER poison AFTER INSERT ON t_cards WHEN NEW.code = 'poison'
               BEGIN INSERT INTO guard VALUES (NEW.id); END;`);
    db.close();
    const codes = ['p-0', 'p-1', 'poison', 'p-3', 'p-4'];
    const outcomes = await Promise.all(codes.map((code) => run(sandbox, writer, code)));
    const byCode = new Map<string, InvocationOutcome>(codes.map((c, i) => [c, outcomes[i]!]));
    expect(byCode.get('poison')).toMatchObject({
      status: 'execution_failed',
      error: { code: 'E_TABLE_COMMIT_FAILED', message: expect.stringMatching(/FOREIGN KEY/) },
    });
    await new Promise((resolve) => setTimeout(resolve, 100)); // events of the batch, if any
    // Runs that shared its commit lost their rows with it: failed, never announced; the others
    // committed theirs before their outcome, announced once.
    for (const [code, out] of byCode) {
      if (out.status === 'fulfilled')
        expect([code, visible(code), announced(code)]).toEqual([code, 1, 1]);
      else {
        expect([code, out.error?.code]).toEqual([code, 'E_TABLE_COMMIT_FAILED']);
        expect([code, visible(code), announced(code)]).toEqual([code, 0, 0]);
      }
    }
    // The executor's lock is let go, and the version's next runs commit as before.
    main.createRecord('cards', { code: 'after-poison' });
    expect((await run(sandbox, writer, 'p-5')).status).toBe('fulfilled');
    expect(visible('p-5')).toBe(1);
  });

  it('never leaves the lock held while a function that wrote computes', async () => {
    const spinner = await deploy('spinner', SPINNER, { timeoutMs: 20_000 });
    const running = run(sandbox, spinner, 'spun');
    // Its row shows while it still computes, and a write of the main process is not kept waiting.
    await expect.poll(() => visible('spun'), { timeout: 15_000 }).toBe(1);
    main.createRecord('cards', { code: 'marker' });
    expect(await running).toMatchObject({ status: 'fulfilled', result: 'saw the marker' });
    main.deleteWhere('cards', { code: { $eq: 'marker' } });
  });

  it('commits a quick run’s writes before entering a version not judged quick', async () => {
    const spinner = await deploy('reading_spinner', SPINNER, { timeoutMs: 20_000 });
    const [written, spun] = [run(sandbox, writer, 'before-spin'), run(sandbox, spinner, null)];
    await expect.poll(() => visible('before-spin'), { timeout: 15_000 }).toBe(1);
    main.createRecord('cards', { code: 'marker' });
    expect(await spun).toMatchObject({ status: 'fulfilled', result: 'saw the marker' });
    expect((await written).status).toBe('fulfilled');
    main.deleteWhere('cards', { code: { $eq: 'marker' } });
  });
});
