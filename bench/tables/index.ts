/**
 * Table throughput from a function vs raw better-sqlite3, in the same run, as ratios
 * (machines differ; ratios travel). Run:
 *   npm exec -- node --no-node-snapshot bench/tables/index.ts [count]
 *
 * - raw: better-sqlite3 on the same STRICT table (same indexes: the field's and the system
 *   fields'), one autocommit INSERT per record (like the store, each write is its own
 *   transaction), SELECT by the indexed column.
 * - store: SqliteTableStore called directly (validation, SQL building, change events).
 * - guest: the MinCloud SDK in a real isolated-vm isolate: `create().set(…).save()` and
 *   `setQuery(compare('openid', '=', …)).find()`, through the JSON bridge into the store.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SqliteTableStore } from '../../engine/tables/sqlite/table-store.ts';
import { createGuestIsolate } from '../../test/integration/tables/helpers/guest-isolate.ts';

const COUNT = Number(process.argv[2] ?? 2000);
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
  insert(n: number, round: number): Promise<void> | void;
  query(n: number, round: number): Promise<void> | void;
  close(): void;
}

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
  let seq = 0;
  return {
    name: 'raw better-sqlite3',
    insert(n, round) {
      for (let i = 0; i < n; i++) {
        const r = record(i);
        const now = Math.floor(Date.now() / 1000);
        ins.run(
          (seq++).toString(16).padStart(24, '0'),
          now,
          now,
          null,
          `r${round}${r.openid}`,
          r.event,
          r.amount,
          JSON.stringify(r.tags),
        );
      }
    },
    query(n, round) {
      for (let i = 0; i < n; i++) {
        const rows = sel.all(`r${round}o${(i * 7919) % n}`) as Array<{ tags: string }>;
        if (rows.length !== 1) throw new Error('expected one row');
        for (const row of rows) JSON.parse(row.tags);
      }
    },
    close: () => db.close(),
  };
}

function storeSubject(file: string): Subject {
  const store = new SqliteTableStore({ path: file });
  store.createTable({ name: 'events', fields: FIELDS });
  return {
    name: 'SqliteTableStore',
    insert(n, round) {
      for (let i = 0; i < n; i++)
        store.createRecord('events', { ...record(i), openid: `r${round}o${i}` });
    },
    query(n, round) {
      for (let i = 0; i < n; i++) {
        const res = store.find('events', {
          where: { openid: { $eq: `r${round}o${(i * 7919) % n}` } },
          withCount: false,
        });
        if (res.objects.length !== 1) throw new Error('expected one record');
      }
    },
    close: () => store.close(),
  };
}

async function guestSubject(file: string): Promise<Subject> {
  const store = new SqliteTableStore({ path: file });
  store.createTable({ name: 'events', fields: FIELDS });
  const guest = await createGuestIsolate(store, 256);
  return {
    name: 'guest SDK in isolate',
    insert: (n, round) =>
      guest.run(
        `const T = new BaaS.TableObject('events');
         for (let i = 0; i < $args.n; i++) {
           await T.create().set({ openid: $args.p + 'o' + i, event: 'user_consume_card', amount: i, tags: ['a', 'b'] }).save();
         }`,
        { n, p: `r${round}` },
      ),
    query: (n, round) =>
      guest.run(
        `const T = new BaaS.TableObject('events');
         for (let i = 0; i < $args.n; i++) {
           const q = new BaaS.Query(); q.compare('openid', '=', $args.p + 'o' + ((i * 7919) % $args.n));
           const res = await T.setQuery(q).find();
           if (res.data.objects.length !== 1) throw new Error('expected one record');
         }`,
        { n, p: `r${round}` },
      ),
    close: () => {
      guest.dispose();
      store.close();
    },
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'cloudfn-bench-tables-'));
  const rounds = 5;
  try {
    const subjects = [
      rawSubject(path.join(dir, 'raw.db')),
      storeSubject(path.join(dir, 'store.db')),
      await guestSubject(path.join(dir, 'guest.db')),
    ];
    for (const s of subjects) {
      await s.insert(200, 99); // warm-up: JIT, statement caches, isolate
      await s.query(200, 99);
    }
    const results = new Map(
      subjects.map((s) => [s.name, { insert: [] as number[], query: [] as number[] }]),
    );
    // Interleaved rounds, the order rotating, medians reported: the machine is shared and noisy.
    for (let round = 0; round < rounds; round++) {
      const order = subjects.map((_, i) => subjects[(i + round) % subjects.length]!);
      for (const s of order)
        results
          .get(s.name)!
          .insert.push(perSecond(COUNT, await time(() => s.insert(COUNT, round))));
      for (const s of order)
        results.get(s.name)!.query.push(perSecond(COUNT, await time(() => s.query(COUNT, round))));
    }
    for (const s of subjects) s.close();
    const m = (name: string, k: 'insert' | 'query') => median(results.get(name)![k]);
    const [raw, store, guest] = subjects.map((s) => s.name) as [string, string, string];
    console.log(
      `tables bench: ${COUNT} operations per round, median of ${rounds} interleaved rounds (Node ${process.version})`,
    );
    console.log(`| operation | ${raw} | ${store} | ${guest} | store / raw | guest / raw |`);
    console.log('|---|---|---|---|---|---|');
    for (const [label, k] of [
      ['inserts/s', 'insert'],
      ['indexed queries/s', 'query'],
    ] as const) {
      const r = m(raw, k);
      const st = m(store, k);
      const gu = m(guest, k);
      console.log(
        `| ${label} | ${r} | ${st} | ${gu} | ${(st / r).toFixed(2)} | ${(gu / r).toFixed(2)} |`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
