import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINE_DB_VERSION } from '../../../engine/migrate/engine-tables.ts';
import { migrate } from '../../../engine/store/sqlite/migrations.ts';
import { openSqliteEngineStore } from '../../../engine/store/sqlite/engine-store.ts';
import { openPostgresEngineStore } from '../../../engine/store/postgres/engine-store.ts';
import { createSecretBox } from '../../../engine/secrets/secret-box.ts';
import { SqliteTableStore } from '../../../engine/tables/sqlite/index.ts';
import { createTestSchema, postgresAvailable, type TestSchema } from '../../helpers/postgres.ts';
import { killServe, startServe, type ServeProcess } from '../../helpers/serve-process.ts';
import { runCli } from '../cli/run-cli.ts';
import { runMigrate } from './migrate-cli.ts';

// What `cloudfn migrate` refuses, each with its code, an exit code and nothing written.
const pgUp = await postgresAvailable();

/** A stopped engine's data dir with one table of `rows` rows. */
async function dataDirWith(dir: string, rows: number): Promise<string> {
  fs.mkdirSync(dir, { recursive: true });
  await openSqliteEngineStore(path.join(dir, 'engine.db'), {
    secrets: createSecretBox(randomBytes(32)),
  }).close();
  const tables = new SqliteTableStore({ path: path.join(dir, 'tables.db') });
  tables.createTable({ name: 'things', fields: [{ name: 'n', type: 'integer' }] });
  if (rows > 0)
    tables.createMany(
      'things',
      Array.from({ length: rows }, (_, n) => ({ n })),
    );
  tables.close();
  return dir;
}

async function tablesIn(schema: TestSchema): Promise<string[]> {
  const client = new pg.Client({ connectionString: schema.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ t: string }>(
      'SELECT table_name AS t FROM information_schema.tables WHERE table_schema = $1',
      [schema.name],
    );
    return rows.map((r) => r.t);
  } finally {
    await client.end();
  }
}

describe('cloudfn migrate: arguments', () => {
  it('refuses an unknown --from or --to with its code (exit 2)', async () => {
    const from = await runCli([
      'migrate',
      '--from',
      'mysql',
      '--to',
      'postgres',
      '--database-url',
      'postgres://x@127.0.0.1/db',
    ]);
    expect(from.code).toBe(2);
    expect(from.stderr).toContain('E_MIGRATE_UNKNOWN_SOURCE');
    expect(from.stderr).toContain('--from sqlite');
    const to = await runCli([
      'migrate',
      '--from',
      'sqlite',
      '--to',
      'mongodb',
      '--database-url',
      'postgres://x@127.0.0.1/db',
    ]);
    expect(to.code).toBe(2);
    expect(to.stderr).toContain('E_MIGRATE_UNKNOWN_TARGET');
  });

  it('refuses a missing database URL and a batch size that is not a number (exit 2)', async () => {
    const noUrl = await runCli(['migrate', '--from', 'sqlite', '--to', 'postgres']);
    expect(noUrl.code).toBe(2);
    expect(noUrl.stderr).toContain('--database-url');
    const batch = await runCli([
      'migrate',
      '--from',
      'sqlite',
      '--to',
      'postgres',
      '--database-url',
      'postgres://x@127.0.0.1/db',
      '--batch-size',
      '0',
    ]);
    expect(batch.code).toBe(2);
    expect(batch.stderr).toContain('--batch-size');
  });
});

describe.skipIf(!pgUp)('cloudfn migrate: refusals', () => {
  let tmp: string;
  let schema: TestSchema;
  let serve: ServeProcess | undefined;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudfn-migrate-refuse-'));
    schema = await createTestSchema('migrate_refuse');
  });

  afterAll(async () => {
    await killServe(serve);
    await schema?.drop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('reads the SQLite schema version the engine writes', async () => {
    const dir = path.join(tmp, 'version');
    await dataDirWith(dir, 0);
    const db = new Database(path.join(dir, 'engine.db'), { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(ENGINE_DB_VERSION);
    db.close();
  });

  it('--verify-only into a schema nothing was migrated to reports every table missing, and writes nothing', async () => {
    const dir = await dataDirWith(path.join(tmp, 'verify-first'), 2);
    const run = await runMigrate(dir, schema.url, ['--verify-only']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('E_MIGRATE_VERIFY_FAILED');
    expect(run.stdout).toMatch(/^engine\.accounts +0 +missing .* MISMATCH$/m);
    expect(run.stdout).toMatch(/^tables\.things +2 +missing .* MISMATCH$/m);
    expect(await tablesIn(schema)).toEqual([]);
  });

  it('refuses a directory without engine.db', async () => {
    const run = await runMigrate(path.join(tmp, 'nothing-here'), schema.url);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('E_MIGRATE_NO_SOURCE');
    expect(await tablesIn(schema)).toEqual([]);
  });

  it('refuses an engine.db of an older schema', async () => {
    const dir = path.join(tmp, 'old');
    fs.mkdirSync(dir);
    const db = new Database(path.join(dir, 'engine.db'));
    migrate(db, ENGINE_DB_VERSION - 1);
    db.close();
    const run = await runMigrate(dir, schema.url);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('E_MIGRATE_SOURCE_SCHEMA');
    expect(run.stderr).toContain('Start the engine of this version once');
    expect(await tablesIn(schema)).toEqual([]);
  });

  it('refuses a data dir an engine is running on, and writes nothing', async () => {
    const dir = await dataDirWith(path.join(tmp, 'running'), 3);
    serve = await startServe({ cwd: tmp, args: ['--port', '0', '--data-dir', dir] });
    const run = await runMigrate(dir, schema.url);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('E_MIGRATE_ENGINE_RUNNING');
    expect(run.stderr).toContain('Stop the engine');
    expect(await tablesIn(schema)).toEqual([]);
    // Stopped, the same data dir moves.
    serve.child.kill('SIGTERM');
    expect((await serve.exited).code).toBe(0);
    const again = await runMigrate(dir, schema.url);
    expect(again.code, again.stderr).toBe(0);
  }, 60_000);

  it("refuses a target holding another data dir's migration", async () => {
    const other = await dataDirWith(path.join(tmp, 'other'), 2);
    const run = await runMigrate(other, schema.url);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('E_MIGRATE_TARGET_NOT_EMPTY');
    expect(run.stderr).toContain(path.join(tmp, 'running'));
  });

  it('refuses a target that holds data of its own, and writes nothing', async () => {
    const fresh = await createTestSchema('migrate_full');
    try {
      // An engine ran on it already and saved a setting.
      const store = await openPostgresEngineStore(fresh.url, {
        secrets: createSecretBox(randomBytes(32)),
      });
      await store.settings.set('someone', 'was here');
      await store.close();
      const dir = await dataDirWith(path.join(tmp, 'into-full'), 1);
      const run = await runMigrate(dir, fresh.url);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('E_MIGRATE_TARGET_NOT_EMPTY');
      expect(run.stderr).toContain('(settings)');
      expect(await tablesIn(fresh)).not.toContain('t1_things');
      const after = new pg.Client({ connectionString: fresh.url });
      await after.connect();
      const { rows } = await after.query('SELECT count(*)::int AS n FROM cloudfn_migration');
      await after.end();
      expect(rows[0].n).toBe(0);
    } finally {
      await fresh.drop();
    }
  });

  it('refuses a schema holding tables of another application', async () => {
    const fresh = await createTestSchema('migrate_other');
    try {
      const client = new pg.Client({ connectionString: fresh.url });
      await client.connect();
      await client.query('CREATE TABLE jobs (id serial PRIMARY KEY, payload text)');
      await client.end();
      const dir = await dataDirWith(path.join(tmp, 'into-other'), 1);
      const run = await runMigrate(dir, fresh.url);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('E_MIGRATE_TARGET_NOT_EMPTY');
      expect(run.stderr).toContain('"jobs"');
    } finally {
      await fresh.drop();
    }
  });

  it('says E_DATABASE_UNAVAILABLE (exit 3) when nothing answers at the URL, without the password', async () => {
    const port = await new Promise<number>((resolve) => {
      const server = net.createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = server.address() as net.AddressInfo;
        server.close(() => resolve(free));
      });
    });
    const dir = await dataDirWith(path.join(tmp, 'unreachable'), 0);
    const run = await runMigrate(dir, `postgres://me:s3cret-pw@127.0.0.1:${port}/app`);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('E_DATABASE_UNAVAILABLE');
    expect(run.stderr).toContain(`127.0.0.1:${port}/app`);
    expect(run.stderr).not.toContain('s3cret-pw');
  });
});
