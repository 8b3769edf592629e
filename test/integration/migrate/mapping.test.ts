import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { ENGINE_TABLES } from '../../../engine/migrate/engine-tables.ts';
import { migratePostgres } from '../../../engine/store/postgres/migrations.ts';
import { openSqliteEngineStore } from '../../../engine/store/sqlite/engine-store.ts';
import { createSecretBox } from '../../../engine/secrets/secret-box.ts';
import { createTestSchema, postgresAvailable, type TestSchema } from '../../helpers/postgres.ts';

// The mapping of the engine's state against both schemas as the engine makes them: a table or
// a column added to either by a future migration fails here until the mapping says where it
// goes (or why it stays behind), so a migration can never drop data silently.
const pgUp = await postgresAvailable();

/** SQLite columns deliberately not moved, and why. */
const LEFT_BEHIND = new Set([
  'triggers.webhook_key', // emptied by SQLite migration 4: only the hash and hint are kept
  'queue.owner', // claims of the stopped engine are released (as its next start would)
  'queue.lease_until',
]);

/** The SQLite columns a spec reads: `"name"`, `alias.name`, `alias."name"`. */
function sourceColumns(select: string[], alias: string | undefined): string[] {
  return select.flatMap((expr) => {
    const match = /^(?:(\w+)\.)?"?(\w+)"?$/.exec(expr);
    if (!match || expr === 'NULL') return [];
    if (alias !== undefined && match[1] !== alias) return [];
    return [match[2]!];
  });
}

describe('the engine tables mapping', () => {
  it('reads every column of every table of engine.db, or says why not', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudfn-migrate-map-'));
    try {
      const file = path.join(dir, 'engine.db');
      await openSqliteEngineStore(file, { secrets: createSecretBox(randomBytes(32)) }).close();
      const db = new Database(file, { readonly: true });
      const tables = db
        .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
        .pluck()
        .all() as string[];
      expect(tables.sort()).toEqual(ENGINE_TABLES.map((t) => t.target.table).sort());
      for (const table of tables) {
        const columns = (
          db.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string }>
        ).map((c) => c.name);
        // The queue's spec reads its own columns as q.*, its log row's as l.*.
        const read = new Set(
          ENGINE_TABLES.flatMap((spec) => {
            const from = spec.source.from;
            if (from === table) return sourceColumns(spec.source.select, undefined);
            const aliased = new RegExp(`\\b${table} (\\w+)\\b`).exec(from);
            return aliased ? sourceColumns(spec.source.select, aliased[1]) : [];
          }),
        );
        const unread = columns.filter((c) => !read.has(c) && !LEFT_BEHIND.has(`${table}.${c}`));
        expect(unread, table).toEqual([]);
      }
      db.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!pgUp)('the engine tables mapping, on PostgreSQL', () => {
  let schema: TestSchema;
  afterAll(async () => schema?.drop());

  it('writes every column of every engine table', async () => {
    schema = await createTestSchema('migrate_map');
    const client = new pg.Client({ connectionString: schema.url });
    await client.connect();
    try {
      await migratePostgres(client);
      const { rows } = await client.query<{ table_name: string; column_name: string }>(
        `SELECT table_name, column_name FROM information_schema.columns
         WHERE table_schema = $1 AND table_name <> 'schema_migrations'`,
        [schema.name],
      );
      const byTable = new Map<string, string[]>();
      for (const r of rows)
        byTable.set(r.table_name, [...(byTable.get(r.table_name) ?? []), r.column_name]);
      expect([...byTable.keys()].sort()).toEqual(ENGINE_TABLES.map((t) => t.target.table).sort());
      for (const spec of ENGINE_TABLES)
        expect(spec.target.columns.map((c) => c.replaceAll('"', '')).sort(), spec.name).toEqual(
          byTable.get(spec.target.table)!.sort(),
        );
    } finally {
      await client.end();
    }
  });
});
