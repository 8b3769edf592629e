/**
 * `npm run bench:runtime`: the runtime's numbers beside their bare floors, measured in one run.
 *  - cold start: first call after deploy (in the executor, from receipt to outcome) vs a bare
 *    isolated-vm cold start (isolate + context + compile + first async call);
 *  - warm invocation: in the executor vs a bare warm call; the process hop on its own line;
 *  - table inserts from a function vs raw better-sqlite3 inserts (same pragmas), and the
 *    table store called directly, so the bridge's share is visible;
 *  - one host call answered at once (the synchronous bridge) vs through a promise (the
 *    asynchronous one, for stores that wait), in short jobs and in a long loop;
 *  - RSS with 1,000 deployed functions, each run once.
 * Medians of repeated samples; ratios are what to compare across machines (BENCH_QUICK=1 for a
 * short run; `--only bridge` runs the host-bridge scenario alone).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { SqliteTableStore } from '../../engine/tables/sqlite/table-store.ts';
import { bundleFunction, createSandbox, type SupervisedSandbox } from '../../runtime/index.ts';
import type { FunctionVersion } from '../../runtime/sandbox.ts';
import { median } from '../lib/latency.ts';
import { bareColdStart, bareWarm } from './bare-floor.ts';
import { benchHostBridge, SHORT_CALLS } from './host-bridge.ts';
import { SAMPLE_DATA, sampleFunction } from './sample-function.ts';

const QUICK = process.env.BENCH_QUICK === '1';
const ONLY = process.argv.includes('--only')
  ? process.argv[process.argv.indexOf('--only') + 1]
  : undefined;
const COLD_SAMPLES = QUICK ? 15 : 60;
const WARM_SAMPLES = QUICK ? 2000 : 10000;
const INSERTS = QUICK ? 2000 : 10000;
const DEPLOYED = QUICK ? 200 : 1000;

/**
 * The insert and no-I/O loops run thousands of calls in one job, well past the 100 ms of CPU
 * that make a version suspect: with the default, the warm-up run of a loop sent its version
 * to quarantine, and the measured run then took the asynchronous path at the lowest priority
 * (about 35 µs per host call instead of 3). These measure the trusted, synchronous path.
 */
const LONG_LOOPS_STAY_TRUSTED = { suspectCpuMs: 600_000 };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fmt = (ms: number) => (ms >= 1 ? `${ms.toFixed(2)} ms` : `${(ms * 1000).toFixed(1)} µs`);
const rows: [string, string, string, string][] = [];
function row(what: string, engine: string, floor: string, ratio: string): void {
  rows.push([what, engine, floor, ratio]);
}

function rssOf(pid: number | undefined): number {
  if (pid === undefined) return 0;
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
}

async function version(name: string, source: string, n: number): Promise<FunctionVersion> {
  const { code } = await bundleFunction({ source, filename: `${name}.js` });
  return { name, version: n, code, timeoutMs: 5000, memoryMb: 128, env: {} };
}

async function benchColdAndWarm(sandbox: SupervisedSandbox): Promise<void> {
  // Floors first, in this process.
  const source = sampleFunction('bare');
  const bareCold: number[] = [];
  for (let i = 0; i < COLD_SAMPLES; i++)
    bareCold.push(await bareColdStart(sampleFunction(`bare ${i}`), SAMPLE_DATA));
  const warm = await bareWarm(source);
  for (let i = 0; i < 500; i++) await warm.asyncCall(SAMPLE_DATA);
  const bareAsync: number[] = [];
  for (let i = 0; i < Math.min(WARM_SAMPLES, 5000); i++) {
    const t = performance.now();
    await warm.asyncCall(SAMPLE_DATA);
    bareAsync.push(performance.now() - t);
  }
  const bareSync: number[] = [];
  for (let i = 0; i < WARM_SAMPLES; i++) {
    const t = performance.now();
    warm.syncCall(SAMPLE_DATA);
    bareSync.push(performance.now() - t);
  }
  warm.dispose();

  // Engine cold start: a new function each time, deploys spaced like real ones (the pool refills).
  const engineCold: number[] = [];
  const engineColdRtt: number[] = [];
  for (let i = 0; i < COLD_SAMPLES; i++) {
    const fn = await version(`cold_${i}`, sampleFunction(`cold ${i}`), 1);
    await sleep(20);
    const t = performance.now();
    const out = await sandbox.invoke({
      fn,
      event: { data: SAMPLE_DATA, eventType: 'invoke', jobId: `cold-${i}` },
    });
    engineColdRtt.push(performance.now() - t);
    if (out.status !== 'fulfilled')
      throw new Error(`cold run failed: ${JSON.stringify(out.error)}`);
    engineCold.push(out.durationMs);
  }

  // Engine warm invocation.
  const fn = await version('warm', source, 1);
  for (let i = 0; i < 500; i++)
    await sandbox.invoke({ fn, event: { data: SAMPLE_DATA, eventType: 'invoke', jobId: 'w' } });
  const inExecutor: number[] = [];
  const rtt: number[] = [];
  for (let i = 0; i < WARM_SAMPLES; i++) {
    const t = performance.now();
    const out = await sandbox.invoke({
      fn,
      event: { data: SAMPLE_DATA, eventType: 'invoke', jobId: `w${i}` },
    });
    rtt.push(performance.now() - t);
    inExecutor.push(out.durationMs);
  }
  const t0 = performance.now();
  const burst = 4000;
  const outs = await Promise.all(
    Array.from({ length: burst }, (_, i) =>
      sandbox.invoke({ fn, event: { data: SAMPLE_DATA, eventType: 'invoke', jobId: `b${i}` } }),
    ),
  );
  const burstMs = performance.now() - t0;
  // The sandbox's concurrency caps refuse most of a burst at once: count what ran.
  const ran = outs.filter((o) => o.status === 'fulfilled').length;
  const throughput = ran / (burstMs / 1000);

  const mc = median(engineCold);
  const bc = median(bareCold);
  row(
    'cold start (first call after deploy, in executor)',
    fmt(mc),
    fmt(bc) + ' bare ivm cold',
    `${(mc / bc).toFixed(2)}× (target ≤ 1.0×)`,
  );
  row('cold start, round trip from the main process', fmt(median(engineColdRtt)), '', '');
  const mw = median(inExecutor);
  const ba = median(bareAsync);
  const bs = median(bareSync);
  row(
    'warm invocation (in executor)',
    fmt(mw),
    fmt(ba) + ' bare async call',
    `${(mw / ba).toFixed(2)}× (target ≤ 1.5×)`,
  );
  row(
    'warm invocation vs bare sync entry',
    fmt(mw),
    fmt(bs) + ' bare sync call',
    `${(mw / bs).toFixed(2)}×`,
  );
  row('process hop (round trip − in executor)', fmt(median(rtt) - mw), '', '');
  row('warm invocation, round trip from the main process', fmt(median(rtt)), '', '');
  row(
    'throughput, 4,000 concurrent light invocations',
    `${Math.round(throughput)} /s run`,
    `${ran} ran, ${burst - ran} refused by the caps`,
    '',
  );
}

const FIELDS = [
  { name: 'UserCardCode', type: 'string' as const },
  { name: 'CreateTime', type: 'integer' as const },
  { name: '_AppId', type: 'string' as const },
];
const INSERTER = `exports.main = async (event) => { const t = new BaaS.TableObject('cards'); for (let i = 0; i < event.data.n; i++) await t.create().set({ UserCardCode: 'code' + i, CreateTime: i, _AppId: 'wx1' }).save(); return event.data.n }`;

function rawInsertsPerSec(path: string): number {
  const raw = new Database(path);
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = NORMAL');
  raw.exec(
    'CREATE TABLE cards (id TEXT PRIMARY KEY, UserCardCode TEXT, CreateTime INTEGER, _AppId TEXT, created_at INTEGER, updated_at INTEGER, created_by INTEGER)',
  );
  const insert = raw.prepare('INSERT INTO cards VALUES (?, ?, ?, ?, ?, ?, ?)');
  const t = performance.now();
  for (let i = 0; i < INSERTS; i++)
    insert.run(`id${i}`.padStart(24, '0'), `code${i}`, i, 'wx1', 1, 1, null);
  const perSec = INSERTS / ((performance.now() - t) / 1000);
  raw.close();
  return perSec;
}

function storeInsertsPerSec(path: string): number {
  const store = new SqliteTableStore({ path });
  store.createTable({ name: 'cards', fields: FIELDS });
  const t = performance.now();
  for (let i = 0; i < INSERTS; i++)
    store.createRecord('cards', { UserCardCode: `code${i}`, CreateTime: i, _AppId: 'wx1' });
  const perSec = INSERTS / ((performance.now() - t) / 1000);
  store.close();
  return perSec;
}

async function functionInsertsPerSec(path: string): Promise<number> {
  const store = new SqliteTableStore({ path });
  store.createTable({ name: 'cards', fields: FIELDS });
  store.close();
  const module = fileURLToPath(
    new URL('../../engine/tables/sqlite/sandbox-host-ops.ts', import.meta.url),
  );
  const sandbox = createSandbox({
    hostOps: { module, options: { dbPath: path } },
    onHostEvent: () => undefined,
    limits: LONG_LOOPS_STAY_TRUSTED,
  });
  try {
    await sandbox.ready();
    const fn = { ...(await version('inserter', INSERTER, 1)), timeoutMs: 120_000 };
    await sandbox.invoke({
      fn,
      event: { data: { n: 100 }, eventType: 'invoke', jobId: 'warm-up' },
    });
    const out = await sandbox.invoke({
      fn,
      event: { data: { n: INSERTS }, eventType: 'invoke', jobId: 'inserts' },
    });
    if (out.status !== 'fulfilled')
      throw new Error(`insert run failed: ${JSON.stringify(out.error)}`);
    return INSERTS / (out.durationMs / 1000);
  } finally {
    await sandbox.close();
  }
}

/** Per-call cost, in µs, of host calls from a function when the host does no I/O. */
async function noIoMicros(): Promise<{ call: number; insert: number }> {
  const module = fileURLToPath(new URL('./noop-host-ops.ts', import.meta.url));
  const sandbox = createSandbox({
    hostOps: { module, options: {} },
    limits: LONG_LOOPS_STAY_TRUSTED,
  });
  try {
    await sandbox.ready();
    const n = 20_000;
    const calls = await version(
      'host_calls',
      `exports.main = async (event) => { const t = new BaaS.TableObject('x'); for (let i = 0; i < event.data; i++) await t.count(); return event.data }`,
      1,
    );
    const inserts = await version('sdk_inserts', INSERTER, 1);
    const micros = async (fn: FunctionVersion, data: unknown): Promise<number> => {
      await sandbox.invoke({ fn, event: { data, eventType: 'invoke', jobId: 'warm-up' } });
      const out = await sandbox.invoke({
        fn,
        event: { data, eventType: 'invoke', jobId: 'measured' },
      });
      return (out.durationMs * 1000) / n;
    };
    return { call: await micros(calls, n), insert: await micros(inserts, { n }) };
  } finally {
    await sandbox.close();
  }
}

async function benchInserts(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cloudfn-bench-runtime-'));
  try {
    // Alternating rounds, fresh files each time: the disk's mood affects all three alike.
    const raw: number[] = [];
    const store: number[] = [];
    const fn: number[] = [];
    for (let round = 0; round < 3; round++) {
      raw.push(rawInsertsPerSec(join(dir, `raw${round}.db`)));
      store.push(storeInsertsPerSec(join(dir, `store${round}.db`)));
      fn.push(await functionInsertsPerSec(join(dir, `fn${round}.db`)));
    }
    const r = median(raw);
    const s = median(store);
    const f = median(fn);
    row(
      'table inserts from a function',
      `${Math.round(f)} /s`,
      `${Math.round(r)} /s raw better-sqlite3`,
      `${(f / r).toFixed(2)}× (target ≥ 0.5×)`,
    );
    row(
      'table inserts, store called directly',
      `${Math.round(s)} /s`,
      `${Math.round(r)} /s raw better-sqlite3`,
      `${(s / r).toFixed(2)}×`,
    );
    const noIo = await noIoMicros();
    row('one host call from a function (HostOps without I/O)', fmt(noIo.call / 1000), '', '');
    row('one SDK insert from a function (HostOps without I/O)', fmt(noIo.insert / 1000), '', '');
    row('store cost of one insert (direct store − raw)', fmt(1000 / s - 1000 / r), '', '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Deploys and runs DEPLOYED functions once each; `unbounded` lifts the isolate budget. */
async function benchDeployed(unbounded: boolean): Promise<void> {
  const limits = unbounded ? { isolateMemoryBudgetMb: 1 << 20, maxLoadedIsolates: 1 << 20 } : {};
  const sandbox = createSandbox({ limits });
  await sandbox.ready();
  await sleep(300);
  const base = rssOf(sandbox.executors()[0]?.pid);
  const fns = await Promise.all(
    Array.from({ length: DEPLOYED }, (_, i) =>
      version(`deployed_${i}`, sampleFunction(`deployed ${i}`), 1),
    ),
  );
  for (const [i, fn] of fns.entries()) {
    const out = await sandbox.invoke({
      fn,
      event: { data: SAMPLE_DATA, eventType: 'invoke', jobId: `d${i}` },
    });
    if (out.status !== 'fulfilled')
      throw new Error(`deployed run failed: ${JSON.stringify(out.error)}`);
  }
  await sleep(1200); // a heartbeat with the loaded count
  const executor = sandbox.executors()[0];
  const rss = rssOf(executor?.pid);
  const main = process.memoryUsage.rss();
  const loaded = executor?.loadedIsolates ?? 0;
  row(
    `RSS, ${DEPLOYED} functions run once, ${unbounded ? 'all kept loaded' : 'default isolate budget'}`,
    `${(rss / 1048576).toFixed(0)} MB executor + ${(main / 1048576).toFixed(0)} MB main`,
    `${(base / 1048576).toFixed(0)} MB idle executor`,
    `${loaded} isolates loaded, ${((rss - base) / Math.max(1, loaded) / 1048576).toFixed(2)} MB each (target ≤ 1.5 GB for 1,000)`,
  );
  await sandbox.close();
}

async function benchBridges(): Promise<void> {
  const { sync, async } = await benchHostBridge(QUICK);
  row(
    `host call answered through a promise, jobs of ${SHORT_CALLS} calls`,
    fmt(async.short / 1000),
    fmt(sync.short / 1000) + ' answered at once',
    `${(async.short / sync.short).toFixed(2)}×`,
  );
  row(
    'host call answered through a promise, one long loop',
    fmt(async.long / 1000),
    fmt(sync.long / 1000) + ' answered at once',
    `${(async.long / sync.long).toFixed(2)}×`,
  );
}

if (ONLY === undefined || ONLY === 'bridge') await benchBridges();
if (ONLY === undefined) {
  const sandbox = createSandbox({});
  await sandbox.ready();
  await sleep(200);
  await benchColdAndWarm(sandbox);
  await sandbox.close();
  await benchInserts();
  await benchDeployed(false);
  await benchDeployed(true);
}

const widths = [0, 1, 2, 3].map((c) => Math.max(...rows.map((r) => (r[c] ?? '').length), 4));
process.stdout.write(
  `runtime bench (${QUICK ? 'quick' : 'full'}; Node ${process.versions.node})\n`,
);
for (const r of rows)
  process.stdout.write(`${r.map((c, i) => c.padEnd(widths[i] as number)).join('  ')}\n`);
