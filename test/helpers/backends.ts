/**
 * Suites that run once per backend of the users' tables: SQLite files, and PostgreSQL (a
 * fresh schema per engine, dropped when it closes), skipped with a notice when no server
 * answers (CLOUDFN_REQUIRE_POSTGRES=1 fails instead).
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
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
  // Each test checks its answers against the documented shape, often loosely (toMatchObject);
  // this checks them against each other, whole: a difference no assertion looked at shows.
  describe.skipIf(!pgUp)('on both backends', () => {
    it('every admin API answer on PostgreSQL is the one on SQLite (ids and times aside)', () => {
      const [sqlite, postgres] = [transcripts.get('sqlite'), transcripts.get('postgres')];
      expect(sqlite?.length, 'the SQLite run made no calls').toBeGreaterThan(0);
      expect(comparable(postgres ?? [])).toEqual(comparable(sqlite!));
    });
  });
}

/** One admin API call and its answer. */
interface Exchange {
  method: string;
  route: string;
  body: unknown;
  status: number;
  answer: unknown;
}

/** Every admin API call of the file's engine on each backend, in order. */
const transcripts = new Map<Backend, Exchange[]>();

/** `t` with every admin API call recorded in the transcript of `backend`. */
function recorded(t: TestEngine, backend: Backend): TestEngine {
  const calls: Exchange[] = [];
  transcripts.set(backend, calls);
  return {
    ...t,
    async api(method, route, body) {
      const answer = await t.api(method, route, body);
      calls.push({ method, route, body, status: answer.status, answer: answer.body });
      return answer;
    },
  };
}

// What differs between two runs of the same calls whatever the backend: drawn ids, times,
// durations and resources measured.
const HEX_ID = /\b[0-9a-f]{24}\b/g;
const ISO_TIME = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g;
const MEASURED = new Set([
  'durationMs',
  'duration_ms',
  'cpuMs',
  'cpu_ms',
  'memoryBytes',
  'memory_bytes',
]);

/**
 * A transcript as the two backends must agree on it: a call repeated back to back (a test
 * polling until something happened) counts once, with its last answer; ids are numbered in
 * order of appearance; times near now and measured values are placeholders.
 */
function comparable(calls: Exchange[]): string[] {
  const kept: Exchange[] = [];
  for (const call of calls) {
    const last = kept.at(-1);
    if (
      last &&
      last.method === call.method &&
      last.route === call.route &&
      JSON.stringify(last.body) === JSON.stringify(call.body)
    )
      kept.pop();
    kept.push(call);
  }
  const ids = new Map<string, string>();
  const nowS = Date.now() / 1000;
  return kept.map((call) =>
    JSON.stringify(call, (key, value: unknown) => {
      if (MEASURED.has(key)) return '<measured>';
      // Known, and not the tables': an error a PostgreSQL table call rejects with is made when
      // the answer comes back (the call is asynchronous), so its stack lacks the function's
      // frame that SQLite's synchronous answer has (runtime/guest; reported, not fixed here).
      if (key === 'stack' && typeof value === 'string') return value.split('\n')[0];
      if (typeof value === 'number' && Math.abs(value - nowS) < 86_400) return '<time s>';
      if (typeof value === 'number' && Math.abs(value / 1000 - nowS) < 86_400) return '<time ms>';
      return value;
    })
      .replace(HEX_ID, (id) => {
        if (!ids.has(id)) ids.set(id, `<id ${ids.size + 1}>`);
        return ids.get(id)!;
      })
      .replace(ISO_TIME, '<iso time>'),
  );
}

/**
 * A real engine on `backend`: on PostgreSQL its state and tables are in a fresh schema,
 * dropped when the engine closes.
 */
export async function startEngineOn(backend: Backend): Promise<TestEngine> {
  if (backend === 'sqlite') return recorded(await startTestEngine(), backend);
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
      ...recorded(t, backend),
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
