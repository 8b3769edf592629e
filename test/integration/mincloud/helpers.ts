/**
 * The MinCloud compatibility suite's set-up: a real engine (startTestEngine) on each backend
 * (SQLite files; PostgreSQL, a fresh schema per file, dropped after), functions deployed
 * through the admin API, runs invoked through it (optionally for a user).
 */
import { describe, expect } from 'vitest';
import { startTestEngine, type TestEngine } from '../../helpers/engine.ts';
import pg from 'pg';
import { createTestSchema, postgresAvailable, testDatabaseUrl } from '../../helpers/postgres.ts';

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
  const schema = await createTestSchema('mincloud');
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

/** Deploys `code` as function `name`; fails the test when the deploy is refused. */
export async function deploy(t: TestEngine, name: string, code: string): Promise<void> {
  const answer = await t.api('PUT', `/functions/${name}`, { code });
  expect(answer.status, JSON.stringify(answer.body)).toBeLessThan(300);
}

/** Invokes `name` with `data` (and for `userId`); resolves MinCloud's `{code, data, error}` plus the job. */
export async function invoke(
  t: TestEngine,
  name: string,
  data: unknown = null,
  userId?: number,
): Promise<{
  code: number;
  data: any;
  error: any;
  job_id: string;
  log: Array<{ message: string }>;
}> {
  const answer = await t.api('POST', `/functions/${name}/invoke`, {
    data,
    ...(userId === undefined ? {} : { user_id: userId }),
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body;
}

/** Deploys and invokes in one go; expects the run to succeed and resolves its result. */
export async function runOk(
  t: TestEngine,
  name: string,
  code: string,
  data: unknown = null,
  userId?: number,
): Promise<any> {
  await deploy(t, name, code);
  const out = await invoke(t, name, data, userId);
  expect(out.code, JSON.stringify(out.error)).toBe(0);
  return out.data;
}

/** Creates a table through the admin API. */
export async function createTable(
  t: TestEngine,
  name: string,
  fields: Array<Record<string, unknown>>,
): Promise<void> {
  const answer = await t.api('POST', '/tables', { name, fields });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
}
