/**
 * Throughput of the delivery log on PostgreSQL (issue 16): inbox accepts in groups, dispatch
 * (entry by entry, and in batches), and claim + complete by two store instances (two pools, as two engine processes) sharing
 * one queue. Run:
 *   npm exec -- node --no-node-snapshot bench/store/index.ts
 * against CLOUDFN_BENCH_DATABASE_URL (default: the local test server, 127.0.0.1:5432/test),
 * in a schema of its own, dropped at the end. Without a server it says so and exits 0.
 * BENCH_QUICK=1 runs a tenth of the work. The machine is shared: compare the figures of one
 * run with each other (the ratios), not with another machine's.
 */
import crypto from 'node:crypto';
import pg from 'pg';
import {
  openPostgresEngineStore,
  type PostgresEngineStore,
} from '../../engine/store/postgres/index.ts';
import { createSecretBox } from '../../engine/secrets/secret-box.ts';
import type { InboxEntry, NewFiring } from '../../engine/store/ports.ts';

const baseUrl = process.env.CLOUDFN_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const quick = process.env.BENCH_QUICK === '1';
const PUSHES = quick ? 2_000 : 20_000;
const GROUP = 64;

/** A push's event as the receiver stores it (about 400 bytes of JSON). */
const pushData = (n: number) => ({
  ToUserName: 'gh_0123456789ab',
  FromUserName: `oUser${n % 997}xxxxxxxxxxxxxxxx`,
  CreateTime: 1_760_000_000 + n,
  MsgType: 'event',
  Event: 'user_consume_card',
  CardId: 'pFS7Fjg8kV1IdDz01r4SQwMkuCKc',
  UserCardCode: String(100_000_000_000 + n),
  ConsumeSource: 'FROM_API',
  LocationName: '',
  StaffOpenId: 'oStaffxxxxxxxxxxxxxxxxxxxx',
  MsgId: String(7_000_000_000 + n),
});

async function main(): Promise<void> {
  const schema = `bench_${crypto.randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseUrl, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch (err) {
    console.log(
      `PostgreSQL at ${baseUrl} is unreachable (${(err as Error).message}): bench skipped.`,
    );
    return;
  }
  await admin.query(`CREATE SCHEMA ${schema}`);
  const url = new URL(baseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const secrets = createSecretBox(crypto.randomBytes(32));
  const [a, b] = await Promise.all([
    openPostgresEngineStore(url.toString(), { secrets, poolSize: 10 }),
    openPostgresEngineStore(url.toString(), { secrets, poolSize: 10 }),
  ]);
  try {
    const rows: [string, string][] = [];
    const entries: InboxEntry[] = Array.from({ length: PUSHES }, (_, n) => ({
      id: crypto.randomUUID(),
      source: 'wechat_message',
      key: 'wxbench',
      dedupKey: `m${n}`,
      data: pushData(n),
      dataJson: JSON.stringify(pushData(n)),
      receivedAt: 1_000 + n,
    }));

    // 1. Accept: groups of 64 (the receiver's group commit), 4 groups in flight (two
    // processes' receivers, each committing while the previous group syncs).
    const groups: InboxEntry[][] = [];
    for (let i = 0; i < entries.length; i += GROUP) groups.push(entries.slice(i, i + GROUP));
    let t = performance.now();
    await inFlight(groups, 4, (g, i) => (i % 2 ? a : b).delivery.accept(g));
    rows.push(['inbox accept, groups of 64, synchronous commit', rate(PUSHES, t)]);

    // The same groups again: every one is a duplicate (a WeChat retry storm).
    t = performance.now();
    await inFlight(groups, 4, (g, i) => (i % 2 ? a : b).delivery.accept(g));
    rows.push(['inbox accept of duplicates (dedup)', rate(PUSHES, t)]);

    // 2. Dispatch: each entry with one function firing. A third entry by entry (`dispatch`,
    // one transaction each, four in flight: how the dispatcher worked before dispatchMany), a
    // third in batches of the pending page (`dispatchMany`, one transaction per 200), by one
    // process; the last third in batches by two processes that read the same pending entries
    // and race for them (SKIP LOCKED: each goes to one).
    const firingFor = (i: number): NewFiring => ({
      logId: crypto.randomUUID(),
      trigger: `t${i % 20}`,
      actionIndex: 0,
      action: { type: 'function', function: `f${i % 20}` } as NewFiring['action'],
      eventType: 'trigger',
      lane: `function:f${i % 20}`,
    });
    const dispatchAll = async (stores: PostgresEngineStore[], limit: number, batched: boolean) => {
      let dispatched = 0;
      await Promise.all(
        stores.map(async (store) => {
          while (dispatched < limit) {
            const pending = await store.delivery.pending(200);
            if (pending.length === 0) return;
            if (batched) {
              const results = await store.delivery.dispatchMany(
                pending.map((e, i) => ({ inboxId: e.id, firings: [firingFor(i)], event: e.data })),
                2_000_000,
              );
              for (const r of results) if ('admitted' in r) dispatched += r.admitted.length;
              continue;
            }
            await inFlight(pending, 4, async (e, i) => {
              // Awaited first: `x += await y` would read x before the await (lost counts).
              const admitted = await store.delivery.dispatch(
                e.id,
                [firingFor(i)],
                2_000_000,
                e.data,
              );
              dispatched += admitted.length;
            });
          }
        }),
      );
      return dispatched;
    };
    t = performance.now();
    const single = await dispatchAll([a], PUSHES / 3, false);
    rows.push(['dispatch entry by entry (one firing each), one process', rate(single, t)]);
    t = performance.now();
    const batched = await dispatchAll([a], (2 * PUSHES) / 3 - single, true);
    rows.push(['dispatchMany, batches of 200, one process', rate(batched, t)]);
    t = performance.now();
    const rest = await dispatchAll([a, b], PUSHES, true);
    rows.push(['dispatchMany, two processes racing for the same entries', rate(rest, t)]);

    // 3. Claim + complete: two processes, each claiming batches of 32 (lanes capped at 8,
    // as the job runner does) and completing them one by one, 8 completions in flight (those
    // of one turn share a statement).
    t = performance.now();
    const claimed: string[] = [];
    await Promise.all(
      [a, b].map(async (store, p) => {
        const owner = `bench-${p}`;
        for (;;) {
          const got = await store.delivery.claim(
            owner,
            3_000_000,
            32,
            { perLane: 8, running: new Map() },
            60_000,
          );
          if (got.length === 0) return;
          claimed.push(...got.map((d) => d.id));
          await inFlight(got, 8, (d) =>
            store.delivery.complete(
              owner,
              d.id,
              { attempts: 1, jobId: null, durationMs: 1 },
              3_000_001,
            ),
          );
        }
      }),
    );
    const duplicates = claimed.length - new Set(claimed).size;
    rows.push([
      `claim + complete (two processes; ${duplicates} duplicates)`,
      rate(claimed.length, t),
    ]);

    // 4. The inbox's data column as text (what the store uses) or jsonb, same groups.
    for (const type of ['text', 'jsonb']) {
      await admin.query(
        `CREATE TABLE ${schema}.data_${type} (id text PRIMARY KEY, data ${type} NOT NULL)`,
      );
      t = performance.now();
      for (const g of groups)
        await admin.query(
          `INSERT INTO ${schema}.data_${type} SELECT * FROM unnest($1::text[], $2::${type}[])`,
          [g.map((e) => e.id), g.map((e) => e.dataJson)],
        );
      const insert = rate(PUSHES, t);
      t = performance.now();
      const read = await admin.query<{ data: unknown }>(`SELECT data FROM ${schema}.data_${type}`);
      // pg parses jsonb itself; text is parsed here, as the store does.
      if (type === 'text') for (const row of read.rows) JSON.parse(row.data as string);
      rows.push([`data column ${type}: insert, groups of 64 (one connection)`, insert]);
      rows.push([`data column ${type}: read back and parse`, rate(PUSHES, t)]);
    }

    console.log(`\nDelivery log on PostgreSQL, ${PUSHES} pushes (${new Date().toISOString()})\n`);
    console.log('| step | per second |\n| --- | ---: |');
    for (const [name, value] of rows) console.log(`| ${name} | ${value} |`);
  } finally {
    await Promise.all([a.close(), b.close()]);
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  }
}

/** Runs `fn` over `items` with at most `width` calls in flight. */
async function inFlight<T>(
  items: T[],
  width: number,
  fn: (item: T, index: number) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i]!, i);
      }
    }),
  );
}

const rate = (count: number, since: number) =>
  Math.round(count / ((performance.now() - since) / 1000)).toLocaleString('en');

await main();
