import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteEngineStore } from '../../../engine/store/sqlite/engine-store.ts';
import { createSecretBox } from '../../../engine/secrets/secret-box.ts';
import { SqliteTableStore } from '../../../engine/tables/sqlite/index.ts';
import { createTestSchema, postgresAvailable, type TestSchema } from '../../helpers/postgres.ts';
import { startTcpProxy } from '../../helpers/tcp-proxy.ts';
import { checkRow, runMigrate, spawnMigrate } from './migrate-cli.ts';

// A migration killed (SIGKILL) midway continues where it stopped: every batch it committed
// stays, the rest is copied once, and the verification finds the two sides equal.
const pgUp = await postgresAvailable();
const ROWS = 50_000;
const BATCH = 250;

describe.skipIf(!pgUp)('cloudfn migrate: resuming after a kill', () => {
  let tmp: string;
  let dataDir: string;
  let schema: TestSchema;
  let client: pg.Client;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudfn-migrate-resume-'));
    dataDir = path.join(tmp, 'data');
    fs.mkdirSync(dataDir);
    schema = await createTestSchema('migrate_resume');
    await openSqliteEngineStore(path.join(dataDir, 'engine.db'), {
      secrets: createSecretBox(randomBytes(32)),
    }).close();
    const tables = new SqliteTableStore({ path: path.join(dataDir, 'tables.db') });
    tables.createTable({
      name: 'big',
      fields: [
        { name: 'i', type: 'integer' },
        { name: 'text', type: 'string' },
      ],
    });
    for (let start = 0; start < ROWS; start += 1000)
      tables.createMany(
        'big',
        Array.from({ length: 1000 }, (_, j) => ({ i: start + j, text: `row ${start + j}` })),
      );
    tables.close();
    client = new pg.Client({ connectionString: schema.url });
    await client.connect();
  }, 120_000);

  afterAll(async () => {
    await client?.end();
    await schema?.drop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  /** What the progress table says of tables.big (0 before its first batch). */
  async function committed(on: pg.Client = client): Promise<number> {
    try {
      const { rows } = await on.query<{ rows: string }>(
        `SELECT rows FROM cloudfn_migration_tables WHERE name = 'tables.big'`,
      );
      return Number(rows[0]?.rows ?? 0);
    } catch {
      return 0; // not created yet
    }
  }

  it('keeps the committed batches of a killed run and copies only the rest on the next', async () => {
    const child = spawnMigrate(dataDir, schema.url, ['--batch-size', String(BATCH)]);
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.once('exit', (_code, signal) => resolve(signal)),
    );
    // Kill it once a few batches of the big table are in, wherever it is then.
    const deadline = Date.now() + 60_000;
    while ((await committed()) < 5 * BATCH && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    const before = await committed();
    expect(before).toBeGreaterThanOrEqual(5 * BATCH);
    expect(before).toBeLessThan(ROWS);
    const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM "t1_big"`);
    // The progress row and the rows it counts commit together.
    expect(Number(rows[0]!.n)).toBe(before);

    const run = await runMigrate(dataDir, schema.url, ['--batch-size', String(BATCH)]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('Resumed: ');
    expect(run.stderr).toContain(
      `tables.big: ${ROWS - before} rows copied, ${before} by an earlier run`,
    );
    expect(checkRow(run.stdout, 'tables.big')).toEqual([
      String(ROWS),
      String(ROWS),
      expect.any(String),
      expect.any(String),
      'ok',
    ]);
    const after = await client.query<{ n: string; d: string }>(
      `SELECT count(*) AS n, count(DISTINCT i) AS d FROM "t1_big"`,
    );
    expect(after.rows[0]).toEqual({ n: String(ROWS), d: String(ROWS) });
  }, 180_000);

  it('stops with E_DATABASE_UNAVAILABLE when the connection is lost, and the same command resumes', async () => {
    const other = await createTestSchema('migrate_cut');
    const direct = new pg.Client({ connectionString: other.url });
    await direct.connect();
    const server = new URL(other.url);
    const proxy = await startTcpProxy({ host: server.hostname, port: Number(server.port || 5432) });
    try {
      const viaProxy = new URL(other.url);
      viaProxy.host = `127.0.0.1:${proxy.port}`;
      const child = spawnMigrate(dataDir, viaProxy.toString(), ['--batch-size', String(BATCH)]);
      let stderr = '';
      child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<number | null>((resolve) =>
        child.once('exit', (code) => resolve(code)),
      );
      const deadline = Date.now() + 60_000;
      while ((await committed(direct)) < 5 * BATCH && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      await proxy.cut();
      const code = await exited;
      expect(code, stderr).toBe(3);
      expect(stderr).toContain('E_DATABASE_UNAVAILABLE');
      expect(stderr).toContain('run the same command again');
      const before = await committed(direct);
      expect(before).toBeLessThan(ROWS);

      await proxy.restore();
      const run = await runMigrate(dataDir, viaProxy.toString(), ['--batch-size', String(BATCH)]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toContain(
        `tables.big: ${ROWS - before} rows copied, ${before} by an earlier run`,
      );
      expect(checkRow(run.stdout, 'tables.big')![4]).toBe('ok');
    } finally {
      await direct.end();
      await proxy.close();
      await other.drop();
    }
  }, 180_000);
});
