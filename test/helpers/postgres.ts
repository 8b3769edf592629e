import crypto from 'node:crypto';
import pg from 'pg';

/**
 * The PostgreSQL server the tests use: CLOUDFN_TEST_DATABASE_URL, else the local server CI
 * starts (127.0.0.1:5432, trust auth, database `test`).
 */
export function testDatabaseUrl(): string {
  return process.env.CLOUDFN_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
}

let reachable: Promise<boolean> | undefined;

/**
 * Whether a PostgreSQL server answers. Without one the suites that need it skip with a
 * notice, so `npm test` passes on a bare laptop; with CLOUDFN_REQUIRE_POSTGRES=1 (CI) a
 * missing server fails instead. Use at the top of a test file:
 * `const pgUp = await postgresAvailable(); describe.skipIf(!pgUp)(…)`.
 */
export function postgresAvailable(): Promise<boolean> {
  reachable ??= probe();
  return reachable;
}

async function probe(): Promise<boolean> {
  const client = new pg.Client({
    connectionString: testDatabaseUrl(),
    connectionTimeoutMillis: 3000,
  });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    if (process.env.CLOUDFN_REQUIRE_POSTGRES === '1')
      throw new Error(
        `CLOUDFN_REQUIRE_POSTGRES=1 but PostgreSQL at ${testDatabaseUrl()} is unreachable: ${why}`,
        { cause: err },
      );
    console.warn(
      `NOTICE: PostgreSQL at ${testDatabaseUrl()} is unreachable (${why}); the PostgreSQL suites are skipped (start a server or set CLOUDFN_TEST_DATABASE_URL; CLOUDFN_REQUIRE_POSTGRES=1 fails instead).`,
    );
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

export interface TestSchema {
  /** The schema's name (fresh, random). */
  name: string;
  /**
   * A connection URL whose sessions use only this schema (search_path set through the
   * `options` parameter), so engines started with it, in this process or another, share it.
   */
  url: string;
  /** Drops the schema and everything in it. */
  drop(): Promise<void>;
}

/** A fresh schema for one test file (or one test): isolation without creating databases. */
export async function createTestSchema(prefix = 't'): Promise<TestSchema> {
  const name = `${prefix}_${crypto.randomBytes(6).toString('hex')}`.toLowerCase();
  const admin = new pg.Client({ connectionString: testDatabaseUrl() });
  await admin.connect();
  try {
    await admin.query(`CREATE SCHEMA ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(testDatabaseUrl());
  url.searchParams.set('options', `-c search_path=${name}`);
  return {
    name,
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: testDatabaseUrl() });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}
