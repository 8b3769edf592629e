/**
 * Suites that run once per backend of the users' tables: SQLite files, and PostgreSQL (a
 * fresh schema per engine, dropped when it closes), skipped with a notice when no server
 * answers (CLOUDFN_REQUIRE_POSTGRES=1 fails instead).
 */
import pg from 'pg';
import { describe } from 'vitest';
import { startTestEngine, type TestEngine } from './engine.ts';
import { createTestSchema, postgresAvailable, testDatabaseUrl } from './postgres.ts';

export type Backend = 'sqlite' | 'postgres';

const pgUp = await postgresAvailable();

/**
 * Declares the file's suite once per backend: `body` registers its hooks and tests for the
 * backend it is given. The PostgreSQL copy is skipped when no server answers (with the
 * notice postgresAvailable prints; CLOUDFN_REQUIRE_POSTGRES=1 fails instead).
 */
export function onEachBackend(body: (backend: Backend) => void): void {
  for (const backend of ['sqlite', 'postgres'] as const)
    describe.skipIf(backend === 'postgres' && !pgUp)(`on ${backend}`, () => body(backend));
}

/**
 * A real engine on `backend`: on PostgreSQL its state and tables are in a fresh schema,
 * dropped when the engine closes.
 */
export async function startEngineOn(backend: Backend): Promise<TestEngine> {
  if (backend === 'sqlite') return startTestEngine();
  const schema = await createTestSchema('backend');
  try {
    const t = await startTestEngine({ env: { CLOUDFN_DATABASE_URL: schema.url } });
    // The suite must not pass on SQLite by mistake: the users' tables' catalog is in the schema.
    if (!(await hasTablesCatalog(schema.name))) {
      await t.close();
      throw new Error(
        `no tables catalog in schema ${schema.name}: the tables are not on PostgreSQL`,
      );
    }
    return {
      ...t,
      async close() {
        try {
          await t.close();
        } finally {
          await schema.drop();
        }
      },
    };
  } catch (err) {
    await schema.drop();
    throw err;
  }
}

async function hasTablesCatalog(schema: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: testDatabaseUrl() });
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'cf_tables'`,
      [schema],
    );
    return rows.length === 1;
  } finally {
    await client.end();
  }
}
