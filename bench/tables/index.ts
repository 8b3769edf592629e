/**
 * Table throughput per backend, in the same run, as ratios (machines differ; ratios travel).
 * Run:
 *   npm exec -- node --no-node-snapshot bench/tables/index.ts [count]
 *
 * Operations: insert, get by id, find with a `where` on an indexed field, update
 * (`incrementBy`), each one at a time (latency-bound, as a function's calls are).
 * - raw: better-sqlite3 on the same STRICT table (same indexes: the field's and the system
 *   fields'), one autocommit statement per operation.
 * - SqliteTableStore called directly (validation, SQL building, change events), and the
 *   MinCloud SDK in a real isolated-vm isolate through the synchronous JSON bridge.
 * - PostgresTableStore called directly, and the SDK in an isolate through the asynchronous
 *   bridge, on the server of CLOUDFN_BENCH_DATABASE_URL (default: the tests' local server),
 *   in a schema of its own dropped afterwards; left out when no server answers.
 */
import crypto from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { PostgresTableStore } from '../../engine/tables/postgres/table-store.ts';
import { SqliteTableStore } from '../../engine/tables/sqlite/table-store.ts';
import type { SyncTableStore, TableStore } from '../../engine/tables/table-store.ts';
import { createGuestIsolate } from '../../test/integration/tables/helpers/guest-isolate.ts';

const COUNT = Number(process.argv[2] ?? 2000);
const PG_URL = process.env.CLOUDFN_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const FIELDS = [
  { name: 'openid', type: 'string' as const, index: true },
  { name: 'event', type: 'string' as const },
  { name: 'amount', type: 'integer' as const },
  { name: 'tags', type: 'array' as const, items: 'string' as const },
];
const record = (i: number) => ({
  openid: `o${i}`,
  event: 'user_consume_card',
  amount: i,
  tags: ['a', 'b'],
});
const OPS = ['insert', 'get', 'find', 'update'] as const;
type Op = (typeof OPS)[number];

function perSecond(n: number, ms: number): number {
  return Math.round((n / ms) * 1000);
}

async function time(fn: () => unknown | Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

interface Subject {
  name: string;
  /** Runs `n` operations of one kind; round-specific keys keep rounds apart. */
  run(op: Op, n: number, round: number): Promise<void> | void;
  close(): Promise<void> | void;
}

const key = (round: number, i: number) => `r${round}o${i}`;
const probe = (i: number, n: number) => (i * 7919) % n;

function rawSubject(file: string): Subject {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(`CREATE TABLE t (_seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
    created_by INTEGER, openid TEXT, event TEXT, amount INTEGER, tags TEXT) STRICT; CREATE INDEX ix ON t (openid);
    CREATE INDEX ix1 ON t (created_at); CREATE INDEX ix2 ON t (updated_at); CREATE INDEX ix3 ON t (created_by);`);
  const ins = db.prepare(
    'INSERT INTO t (id, created_at, updated_at, created_by, openid, event, amount, tags) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const sel = db.prepare('SELECT * FROM t WHERE openid = ? ORDER BY _seq LIMIT 20');
  const get = db.prepare('SELECT * FROM t WHERE id = ?');
  const upd = db.prepare('UPDATE t SET amount = amount + 1, updated_at = ? WHERE id = ?');
  const ids = new Map<number, string[]>();
  let seq = 0;
  return {
    name: 'raw better-sqlite3',
    run(op, n, round) {
      const list = ids.get(round) ?? [];
      ids.set(round, list);
      for (let i = 0; i < n; i++) {
        const now = Math.floor(Date.now() / 1000);
        if (op === 'insert') {
          const r = record(i);
          const id = (seq++).toString(16).padStart(24, '0');
          ins.run(id, now, now, null, key(round, i), r.event, r.amount, JSON.stringify(r.tags));
          list.push(id);
        } else if (op === 'get') {
          const row = get.get(list[probe(i, n)]) as { tags: string } | undefined;
          if (!row) throw new Error('expected a row');
          JSON.parse(row.tags);
        } else if (op === 'find') {
          const rows = sel.all(key(round, probe(i, n))) as Array<{ tags: string }>;
          if (rows.length !== 1) throw new Error('expected one row');
          for (const row of rows) JSON.parse(row.tags);
        } else upd.run(now, list[probe(i, n)]);
      }
    },
    close: () => {
      db.close();
    },
  };
}

/** node-postgres on the same table shape (typed columns, jsonb, the same indexes), autocommit. */
async function rawPgSubject(url: string): Promise<Subject> {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  await pool.query(`CREATE TABLE raw_t (_seq bigserial PRIMARY KEY, id text COLLATE "C" NOT NULL UNIQUE,
    created_at bigint NOT NULL, updated_at bigint NOT NULL, created_by bigint, openid text COLLATE "C",
    event text COLLATE "C", amount bigint, tags jsonb); CREATE INDEX raw_ix ON raw_t (openid);
    CREATE INDEX raw_ix1 ON raw_t (created_at); CREATE INDEX raw_ix2 ON raw_t (updated_at);
    CREATE INDEX raw_ix3 ON raw_t (created_by)`);
  const ids = new Map<number, string[]>();
  let seq = 0;
  return {
    name: 'raw node-postgres',
    async run(op, n, round) {
      const list = ids.get(round) ?? [];
      ids.set(round, list);
      for (let i = 0; i < n; i++) {
        const now = Math.floor(Date.now() / 1000);
        if (op === 'insert') {
          const r = record(i);
          const id = (seq++).toString(16).padStart(24, '0');
          await pool.query(
            'INSERT INTO raw_t (id, created_at, updated_at, created_by, openid, event, amount, tags) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
            [id, now, now, null, key(round, i), r.event, r.amount, JSON.stringify(r.tags)],
          );
          list.push(id);
        } else if (op === 'get') {
          const { rows } = await pool.query('SELECT * FROM raw_t WHERE id = $1', [
            list[probe(i, n)],
          ]);
          if (rows.length !== 1) throw new Error('expected a row');
        } else if (op === 'find') {
          const { rows } = await pool.query(
            'SELECT * FROM raw_t WHERE openid = $1 ORDER BY _seq LIMIT 20',
            [key(round, probe(i, n))],
          );
          if (rows.length !== 1) throw new Error('expected one row');
        } else
          await pool.query('UPDATE raw_t SET amount = amount + 1, updated_at = $1 WHERE id = $2', [
            now,
            list[probe(i, n)],
          ]);
      }
    },
    close: () => pool.end(),
  };
}

/** A store called directly: the same loop for the synchronous store and the port. */
function storeSubject(name: string, store: SyncTableStore | TableStore, table: string): Subject {
  const ids = new Map<number, Array<string | number>>();
  return {
    name,
    async run(op, n, round) {
      const list = ids.get(round) ?? [];
      ids.set(round, list);
      for (let i = 0; i < n; i++) {
        if (op === 'insert')
          list.push((await store.createRecord(table, { ...record(i), openid: key(round, i) })).id);
        else if (op === 'get') await store.getRecord(table, list[probe(i, n)]!);
        else if (op === 'find') {
          const res = await store.find(table, {
            where: { openid: { $eq: key(round, probe(i, n)) } },
            withCount: false,
          });
          if (res.objects.length !== 1) throw new Error('expected one record');
        } else await store.updateRecord(table, list[probe(i, n)]!, { amount: { $incr_by: 1 } });
      }
    },
    close: () => store.close(),
  };
}

const GUEST_OPS: Record<Op, string> = {
  insert: `const ids = [];
    for (let i = 0; i < $args.n; i++)
      ids.push((await T.create().set({ openid: $args.p + 'o' + i, event: 'user_consume_card', amount: i, tags: ['a', 'b'] }).save()).data.id);
    return ids;`,
  get: `for (let i = 0; i < $args.n; i++) await T.get($args.ids[(i * 7919) % $args.n]);`,
  find: `for (let i = 0; i < $args.n; i++) {
      const q = new BaaS.Query(); q.compare('openid', '=', $args.p + 'o' + ((i * 7919) % $args.n));
      const res = await T.setQuery(q).find();
      if (res.data.objects.length !== 1) throw new Error('expected one record');
    }`,
  update: `for (let i = 0; i < $args.n; i++) {
      const r = T.getWithoutData($args.ids[(i * 7919) % $args.n]); r.incrementBy('amount', 1); await r.update();
    }`,
};

/** The MinCloud SDK in an isolate; `answersLater` for a store whose answers are promises. */
async function guestSubject(
  name: string,
  store: SyncTableStore | TableStore,
  answersLater: boolean,
  table: string,
): Promise<Subject> {
  const guest = await createGuestIsolate(store, 256, answersLater);
  const ids = new Map<number, string[]>();
  return {
    name,
    async run(op, n, round) {
      const out = await guest.run<string[] | null>(
        `const T = new BaaS.TableObject($args.table); ${GUEST_OPS[op]}`,
        { n, p: `r${round}`, ids: ids.get(round), table },
      );
      if (op === 'insert') ids.set(round, out!);
    },
    async close() {
      guest.dispose();
      await store.close();
    },
  };
}

/** A fresh schema on the bench's server, or undefined when none answers. */
async function benchSchema(): Promise<{ url: string; drop: () => Promise<void> } | undefined> {
  const name = `bench_${crypto.randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${name}`);
  } catch (err) {
    console.warn(
      `PostgreSQL at ${PG_URL} unavailable (${(err as Error).message}): its columns are left out`,
    );
    return undefined;
  } finally {
    await admin.end().catch(() => {});
  }
  const url = new URL(PG_URL);
  url.searchParams.set('options', `-c search_path=${name}`);
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
      await client.end();
    },
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'cloudfn-bench-tables-'));
  const schema = await benchSchema();
  const rounds = 5;
  try {
    const sqlite = (file: string) => {
      const store = new SqliteTableStore({ path: path.join(dir, file) });
      store.createTable({ name: 'events', fields: FIELDS });
      return store;
    };
    const postgres = async (table: string) => {
      const store = await PostgresTableStore.open({ url: schema!.url, poolSize: 4 });
      await store.createTable({ name: table, fields: FIELDS });
      return store;
    };
    const subjects: Subject[] = [
      rawSubject(path.join(dir, 'raw.db')),
      storeSubject('SqliteTableStore', sqlite('store.db'), 'events'),
      await guestSubject('SDK on SQLite', sqlite('guest.db'), false, 'events'),
    ];
    if (schema) {
      subjects.push(await rawPgSubject(schema.url));
      subjects.push(storeSubject('PostgresTableStore', await postgres('events'), 'events'));
      subjects.push(
        await guestSubject('SDK on PostgreSQL', await postgres('events_sdk'), true, 'events_sdk'),
      );
    }
    for (const s of subjects) for (const op of OPS) await s.run(op, 200, 99); // warm-up
    const results = new Map(
      subjects.map((s) => [s.name, new Map(OPS.map((op) => [op, [] as number[]]))]),
    );
    // Interleaved rounds, the order rotating, medians reported: the machine is shared and noisy.
    for (let round = 0; round < rounds; round++) {
      const order = subjects.map((_, i) => subjects[(i + round) % subjects.length]!);
      for (const op of OPS)
        for (const s of order)
          results
            .get(s.name)!
            .get(op)!
            .push(perSecond(COUNT, await time(() => s.run(op, COUNT, round))));
    }
    for (const s of subjects) await s.close();
    const names = subjects.map((s) => s.name);
    // Each backend's columns against its own raw driver: what the store and the SDK add.
    const rawOf = (name: string) =>
      /PostgreSQL|Postgres|postgres/.test(name) ? 'raw node-postgres' : 'raw better-sqlite3';
    const ratioNames = names.filter((n) => !n.startsWith('raw '));
    console.log(
      `tables bench: ${COUNT} operations per round, one at a time, median of ${rounds} interleaved rounds (Node ${process.version})`,
    );
    console.log(
      `| operations/s | ${names.join(' | ')} | ${ratioNames.map((n) => `${n} / ${rawOf(n)}`).join(' | ')} |`,
    );
    console.log(`|---|${names.map(() => '---|').join('')}${ratioNames.map(() => '---|').join('')}`);
    for (const op of OPS) {
      const value = (n: string) => median(results.get(n)!.get(op)!);
      const ratios = ratioNames.map((n) => (value(n) / value(rawOf(n))).toFixed(2));
      console.log(`| ${op} | ${names.map(value).join(' | ')} | ${ratios.join(' | ')} |`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await schema?.drop();
  }
}

await main();
