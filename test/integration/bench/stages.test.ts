import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../../bench/e2e/servers.ts';
import { buildPushes } from '../../../bench/e2e/pushes.ts';
import { closedLoop } from '../../../bench/lib/http-load.ts';
import { PLAIN_ACCOUNT } from '../../../bench/lib/tutorial.ts';

// `npm run bench:stages` runs the engine with less of a push's path per column: each stage must
// do what it says (and no more), and count a push done only once it is. No timings here.
describe('the stages of bench:stages', () => {
  let server: RunningServer | undefined;

  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  /** The engine's data dir (the server's cwd has none: it is the temp dir holding engine.db). */
  function dataDirOf(pid: number): string {
    const dirs = fs
      .readdirSync(`/proc/${pid}/fd`)
      .map((fd) => {
        try {
          return fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
        } catch {
          return '';
        }
      })
      .filter((target) => target.endsWith('/engine.db'));
    return path.dirname(dirs[0]!);
  }

  function count(file: string, sql: string): number {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      return (db.prepare(sql).get() as { n: number }).n;
    } finally {
      db.close();
    }
  }

  async function push(s: RunningServer, n: number): Promise<void> {
    const result = await closedLoop(s.target, buildPushes(PLAIN_ACCOUNT, n, false), {
      concurrency: 4,
      maxMs: 30_000,
      timeoutMs: 30_000,
    });
    expect(result).toMatchObject({ sent: n, ok: n, failures: {}, sampleBody: 'success' });
  }

  async function until(s: RunningServer, expected: number): Promise<void> {
    const deadline = Date.now() + 15_000;
    while (s.rowCount() < expected && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    expect(s.rowCount()).toBe(expected);
  }

  it('receive: every push stored and dispatched, no run', async () => {
    server = await startServer('cloudfn', { durability: 'process', stage: 'receive' });
    await push(server, 20);
    await until(server, 20);
    const dir = dataDirOf(server.pid);
    expect(count(path.join(dir, 'engine.db'), 'SELECT count(*) AS n FROM jobs')).toBe(0);
    expect(count(path.join(dir, 'engine.db'), 'SELECT count(*) AS n FROM inbox')).toBe(20);
  });

  it('run: every push runs the function, which writes no row', async () => {
    server = await startServer('cloudfn', { durability: 'process', stage: 'run' });
    await push(server, 20);
    await until(server, 20);
    const dir = dataDirOf(server.pid);
    expect(
      count(path.join(dir, 'engine.db'), "SELECT count(*) AS n FROM jobs WHERE log LIKE '%card%'"),
    ).toBe(20);
    expect(
      count(path.join(dir, 'tables.db'), 'SELECT count(*) AS n FROM t_user_consume_card'),
    ).toBe(0);
  });

  it('only cloudfn runs part of the path', async () => {
    await expect(startServer('reference', { stage: 'run' })).rejects.toThrow(/only cloudfn/);
  });
});
