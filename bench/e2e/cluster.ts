/**
 * Engine processes on one PostgreSQL against one process on SQLite (issue 16): signed
 * plain-mode pushes over loopback, spread evenly over 1, 2 and 3 `cloudfn serve` processes
 * sharing a fresh schema, and the same load on a single SQLite engine, in alternating rounds.
 * Each push fires a cheap function (no data tables: on a cluster they are not shared yet), so
 * the figures are the engine's own path: verify, inbox commit, dispatch, claim, run, record.
 *
 * Run: `npm run bench:e2e -- --database postgres`, or its alias `npm run bench:cluster`
 * (PostgreSQL at CLOUDFN_TEST_DATABASE_URL, else the local server of the tests). Options:
 * `--count N` pushes per run (default 4000), `--rounds N` (default 3), `--concurrency N`
 * requests in flight in all (default 32), `--no-write`, `--only a,b` (setups whose label
 * contains one of these), `--cpu-prof DIR` (V8 CPU profiles of the engines' main processes),
 * `--baseline DIR` (also SQLite, 1 and 2 processes and a receiver with a worker on
 * PostgreSQL from the checkout DIR, e.g. the commit before a change, in the same alternating
 * rounds: a before/after in one run; DIR needs node_modules and dist, e.g. a symlink to this
 * one's and a copy). Prints pushes/s acknowledged and processed, × SQLite,
 * the answer latency, and where the machine's CPU went per processed push: the engines'
 * process trees (main processes and executors), the PostgreSQL server's processes (when the
 * server runs on this machine: found as the parent of this bench's own backend; its pooled
 * backends live through a run, one that ends during it is not counted), how busy the whole
 * machine was and its context switches per push; medians of the rounds. One setup splits two
 * processes by role (`--role receiver` takes the load, `--role worker` runs the queue).
 * Writes bench/results/cluster-<date>.json.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { closedLoop, type LoadRequest, type LoadResult, type Target } from '../lib/http-load.ts';
import { median, summarise } from '../lib/latency.ts';
import { PLAIN_ACCOUNT, REPO_ROOT } from '../lib/tutorial.ts';
import { commandOf, machineTicks, parentOf, TreeSampler } from '../lib/proc-stats.ts';
import { buildPushes } from './pushes.ts';
import type { Role } from '../../engine/role.ts';
import { machine } from './report.ts';

const { values: args } = parseArgs({
  options: {
    count: { type: 'string', default: '4000' },
    rounds: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '32' },
    'no-write': { type: 'boolean', default: false },
    baseline: { type: 'string' },
    only: { type: 'string' },
    'cpu-prof': { type: 'string' },
    // `npm run bench:e2e -- --database postgres` hands its arguments on unchanged.
    database: { type: 'string' },
  },
});
const COUNT = Number(args.count);
const ROUNDS = Number(args.rounds);
const CONCURRENCY = Number(args.concurrency);
const DATABASE_URL =
  process.env.CLOUDFN_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const NODE = path.join(REPO_ROOT, 'node_modules/.bin/node');
const ADMIN_TOKEN = 'bench-cluster-admin-token-0123456789';
const FUNCTION = 'exports.main = async (event) => event.data.UserCardCode;';

interface Setup {
  label: string;
  database: 'sqlite' | 'postgres';
  processes: number;
  /**
   * `cloudfn serve --role` of each process (default: all of them `all`); the load goes to
   * those that serve HTTP.
   */
  roles?: Role[];
  /** The checkout the engines run from (this one unless --baseline). */
  root: string;
}

/** The role of a setup's i-th process. */
const roleOf = (setup: Setup, i: number): Role => setup.roles?.[i] ?? 'all';

const BASELINE = args.baseline ? path.resolve(args.baseline) : undefined;
const CPU_PROF = args['cpu-prof'] ? path.resolve(args['cpu-prof']) : undefined;
const SETUPS: Setup[] = [
  { label: 'SQLite, 1 process', database: 'sqlite', processes: 1, root: REPO_ROOT },
  { label: 'PostgreSQL, 1 process', database: 'postgres', processes: 1, root: REPO_ROOT },
  { label: 'PostgreSQL, 2 processes', database: 'postgres', processes: 2, root: REPO_ROOT },
  { label: 'PostgreSQL, 3 processes', database: 'postgres', processes: 3, root: REPO_ROOT },
  {
    label: 'PostgreSQL, a receiver and a worker',
    database: 'postgres',
    processes: 2,
    roles: ['receiver', 'worker'],
    root: REPO_ROOT,
  },
  ...(BASELINE
    ? ([
        { label: 'SQLite, 1 process (baseline)', database: 'sqlite', processes: 1, root: BASELINE },
        ...[1, 2].map((processes) => ({
          label: `PostgreSQL, ${processes} process${processes > 1 ? 'es' : ''} (baseline)`,
          database: 'postgres' as const,
          processes,
          root: BASELINE,
        })),
        {
          label: 'PostgreSQL, a receiver and a worker (baseline)',
          database: 'postgres',
          processes: 2,
          roles: ['receiver', 'worker'],
          root: BASELINE,
        },
      ] satisfies Setup[])
    : []),
];

interface Run {
  ackPerSec: number;
  processedPerSec: number;
  p50: number;
  p99: number;
  failures: number;
  /** The machine's 1-minute load average at the end of the run. */
  load: number;
  /** CPU ms per processed push of the engines' process trees, all of them together. */
  engineCpuMs: number;
  /** CPU ms per processed push of the PostgreSQL server (undefined: SQLite, or not local). */
  serverCpuMs?: number;
  /** How busy the machine's cores were during the run, 0 to 1 (everything on it). */
  machineBusy: number;
  /**
   * The machine's context switches per processed push (everything on it): how often the
   * processes of a push's path handed the cores to one another.
   */
  contextSwitches: number;
}

/** What the admin API answers, as far as the bench reads it. */
interface ApiBody {
  meta: { total_count: number };
}

interface Engines {
  targets: Target[];
  /** The engine processes' pids (each the root of its tree: main process and executors). */
  pids: number[];
  /** The PostgreSQL server's main process, when it runs on this machine. */
  serverPid?: number;
  api(method: string, route: string, body?: unknown): Promise<{ status: number; body: ApiBody }>;
  stop(): Promise<void>;
}

/** Starts the processes of a setup (a fresh schema or data dir) and deploys the trigger. */
async function startEngines(setup: Setup): Promise<Engines> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudfn-bench-cluster-'));
  let schema: string | undefined;
  const env: Record<string, string> = {
    HOST: '127.0.0.1',
    PORT: '0',
    CLOUDFN_ADMIN_TOKEN: ADMIN_TOKEN,
    CLOUDFN_SECRETS_KEY: crypto.randomBytes(32).toString('base64'),
    CLOUDFN_LOG_LEVEL: 'info', // the start line, with the port, is logged at info
  };
  if (setup.database === 'postgres') {
    schema = `bench_${crypto.randomBytes(5).toString('hex')}`;
    await adminQuery(`CREATE SCHEMA ${schema}`);
    const url = new URL(DATABASE_URL);
    url.searchParams.set('options', `-c search_path=${schema}`);
    env.CLOUDFN_DATABASE_URL = url.toString();
  }
  const children: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(children.map(stopChild));
    if (schema) await adminQuery(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    fs.rmSync(root, { recursive: true, force: true });
  };
  try {
    const ports = await Promise.all(
      Array.from({ length: setup.processes }, (_, i) => {
        const dataDir = path.join(root, `node-${i}`);
        const profile = CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF}`] : [];
        const child = spawn(
          NODE,
          ['--no-node-snapshot', ...profile, 'bin/cloudfn.js', 'serve', '--role', roleOf(setup, i)],
          {
            cwd: setup.root,
            env: { ...process.env, NODE_OPTIONS: '', ...env, CLOUDFN_DATA_DIR: dataDir },
            stdio: ['ignore', 'pipe', 'pipe'],
          },
        );
        children.push(child);
        return listeningPort(child);
      }),
    );
    // The load and the admin API go to the processes that serve HTTP (a worker's is /healthz).
    const serving = ports.filter((_, i) => roleOf(setup, i) !== 'worker');
    const targets = serving.map((port) => ({ host: '127.0.0.1', port }));
    const api = async (method: string, route: string, body?: unknown) => {
      const response = await fetch(`http://127.0.0.1:${serving[0]}/api/v1${route}`, {
        method,
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      return { status: response.status, body: (text ? JSON.parse(text) : {}) as ApiBody };
    };
    const must = async (method: string, route: string, body: unknown) => {
      const answer = await api(method, route, body);
      if (answer.status >= 300) throw new Error(`${route}: ${JSON.stringify(answer.body)}`);
    };
    await must('PUT', `/wechat/accounts/${PLAIN_ACCOUNT.appId}`, { token: PLAIN_ACCOUNT.token });
    await must('PUT', '/functions/bench_card', { code: FUNCTION });
    await must('POST', '/triggers', {
      name: 'bench_card',
      type: 'wechat_message',
      condition: { appId: PLAIN_ACCOUNT.appId, rules: [] },
      actions: [{ type: 'function', function: 'bench_card' }],
    });
    // Saved on the first process: the others hear of it within a second.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const pids = children.map((c) => c.pid!);
    const serverPid = schema ? await postgresServerPid() : undefined;
    return { targets, pids, ...(serverPid ? { serverPid } : {}), api, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Sends `count` pushes spread over the processes; resolves with the figures once all ran. */
async function measure(engines: Engines, count: number, alreadyDone: number): Promise<Run> {
  const pushes = buildPushes(PLAIN_ACCOUNT, count, false);
  const n = engines.targets.length;
  const shares: LoadRequest[][] = engines.targets.map(() => []);
  pushes.forEach((push, i) => shares[i % n]!.push(push));
  const engineCpu = engines.pids.map((pid) => new TreeSampler(pid, 500));
  const serverCpu = engines.serverPid ? new TreeSampler(engines.serverPid, 500) : undefined;
  for (const sampler of [...engineCpu, ...(serverCpu ? [serverCpu] : [])]) sampler.start();
  const machineBefore = machineTicks();
  const started = performance.now();
  const results: LoadResult[] = await Promise.all(
    engines.targets.map((target, i) =>
      closedLoop(target, shares[i]!, {
        concurrency: Math.ceil(CONCURRENCY / n),
        maxMs: 600_000,
        timeoutMs: 10_000,
      }),
    ),
  );
  const acked = performance.now();
  const ok = results.reduce((sum, r) => sum + r.ok, 0);
  for (;;) {
    const done = await engines.api('GET', '/trigger-logs?status=succeeded&limit=1');
    if (done.body.meta.total_count >= alreadyDone + ok) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const processed = performance.now();
  const machineAfter = machineTicks();
  const engineSeconds = engineCpu.reduce((sum, s) => sum + s.stop().cpuSeconds, 0);
  const serverSeconds = serverCpu?.stop().cpuSeconds;
  const latencies = Float64Array.from(results.flatMap((r) => [...r.latenciesMs]));
  const summary = summarise(latencies);
  return {
    ackPerSec: ok / ((acked - started) / 1000),
    processedPerSec: ok / ((processed - started) / 1000),
    p50: summary.p50,
    p99: summary.p99,
    failures: count - ok,
    load: os.loadavg()[0]!,
    engineCpuMs: (engineSeconds * 1000) / ok,
    ...(serverSeconds === undefined ? {} : { serverCpuMs: (serverSeconds * 1000) / ok }),
    machineBusy:
      (machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total),
    contextSwitches: (machineAfter.contextSwitches - machineBefore.contextSwitches) / ok,
  };
}

/**
 * The PostgreSQL server's main process if it runs on this machine: the parent of this
 * connection's backend (the postmaster forks every backend). Undefined for a remote server,
 * whose backend's pid may name an unrelated process here: that one is no `postgres`.
 */
async function postgresServerPid(): Promise<number | undefined> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const backend = rows[0]!.pid;
    return commandOf(backend) === 'postgres' ? parentOf(backend) : undefined;
  } catch {
    return undefined;
  } finally {
    await client.end();
  }
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function listeningPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`no start in 60 s:\n${out}\n${err}`)), 60_000);
    child.stderr!.on('data', (chunk: Buffer) => (err = (err + chunk.toString()).slice(-4000)));
    child.stdout!.on('data', (chunk: Buffer) => {
      out = (out + chunk.toString()).slice(-20_000);
      const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before listening:\n${out}\n${err}`));
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

// --only a,b: the setups whose label contains one of these (a profile of one setup).
if (args.only) {
  const wanted = args.only.split(',');
  SETUPS.splice(0, SETUPS.length, ...SETUPS.filter((s) => wanted.some((w) => s.label.includes(w))));
}
const runs = new Map<string, Run[]>(SETUPS.map((s) => [s.label, []]));
for (let round = 0; round < ROUNDS; round++) {
  // Alternating order, so drift of the machine (other load, thermal) spreads over every setup.
  const order = round % 2 === 0 ? SETUPS : [...SETUPS].reverse();
  for (const setup of order) {
    const engines = await startEngines(setup);
    try {
      const warm = Math.min(500, COUNT);
      // What the warm-up had acknowledged (a push that failed there was not stored).
      const warmed = await measure(engines, warm, 0);
      const run = await measure(engines, COUNT, warm - warmed.failures);
      runs.get(setup.label)!.push(run);
      process.stdout.write(
        `round ${round + 1} ${setup.label}: ${run.ackPerSec.toFixed(0)} acknowledged/s, ${run.processedPerSec.toFixed(0)} processed/s, p99 ${run.p99.toFixed(1)} ms, CPU per push ${run.engineCpuMs.toFixed(2)} ms engines${run.serverCpuMs === undefined ? '' : ` + ${run.serverCpuMs.toFixed(2)} ms PostgreSQL`}, machine ${(run.machineBusy * 100).toFixed(0)} % busy, ${run.contextSwitches.toFixed(1)} context switches per push, load ${run.load.toFixed(1)}\n`,
      );
    } finally {
      await engines.stop();
    }
  }
}

const sqliteRuns = SETUPS.find((s) => s.database === 'sqlite');
const sqliteProcessed = sqliteRuns
  ? median(runs.get(sqliteRuns.label)!.map((r) => r.processedPerSec))
  : Number.NaN;
const rows = SETUPS.map((setup) => {
  const of = runs.get(setup.label)!;
  const processed = median(of.map((r) => r.processedPerSec));
  return {
    setup: setup.label,
    ackPerSec: Math.round(median(of.map((r) => r.ackPerSec))),
    processedPerSec: Math.round(processed),
    // null when --only left the SQLite engine out (nothing to divide by).
    vsSqlite: Number.isNaN(sqliteProcessed)
      ? null
      : Number((processed / sqliteProcessed).toFixed(2)),
    p50Ms: Number(median(of.map((r) => r.p50)).toFixed(1)),
    p99Ms: Number(median(of.map((r) => r.p99)).toFixed(1)),
    failures: of.reduce((sum, r) => sum + r.failures, 0),
    engineCpuMs: Number(median(of.map((r) => r.engineCpuMs)).toFixed(2)),
    serverCpuMs: of.every((r) => r.serverCpuMs !== undefined)
      ? Number(median(of.map((r) => r.serverCpuMs!)).toFixed(2))
      : null,
    machineBusyPercent: Math.round(median(of.map((r) => r.machineBusy)) * 100),
    contextSwitchesPerPush: Number(median(of.map((r) => r.contextSwitches)).toFixed(1)),
  };
});
process.stdout.write(
  `\n${COUNT} pushes per run, ${CONCURRENCY} in flight in all, median of ${ROUNDS} rounds, load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}${BASELINE ? `, baseline ${BASELINE}` : ''}\n`,
);
process.stdout.write(
  '| setup | acknowledged/s | processed/s | × SQLite | p50 ms | p99 ms | failures | CPU ms per push: engines | PostgreSQL | machine busy | context switches per push |\n|---|---|---|---|---|---|---|---|---|---|---|\n',
);
for (const r of rows)
  process.stdout.write(
    `| ${r.setup} | ${r.ackPerSec} | ${r.processedPerSec} | ${r.vsSqlite ?? '—'} | ${r.p50Ms} | ${r.p99Ms} | ${r.failures} | ${r.engineCpuMs} | ${r.serverCpuMs ?? '—'} | ${r.machineBusyPercent} % | ${r.contextSwitchesPerPush} |\n`,
  );
if (!args['no-write']) {
  const date = new Date().toISOString();
  const file = path.join(REPO_ROOT, `bench/results/cluster-${date.slice(0, 10)}.json`);
  fs.writeFileSync(
    file,
    `${JSON.stringify({ date, machine: machine(), loadAverage: os.loadavg(), count: COUNT, concurrency: CONCURRENCY, rounds: ROUNDS, ...(BASELINE ? { baseline: BASELINE } : {}), rows, runs: Object.fromEntries(runs) }, null, 2)}\n`,
  );
  process.stdout.write(`wrote ${path.relative(REPO_ROOT, file)}\n`);
}
