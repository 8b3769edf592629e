/**
 * One measured run: a fresh server, the tutorial set up, a warm-up, then the load; it waits
 * until every acknowledged push is a row in the table (bounded; for a `stage`, until each is
 * done as far as the stage goes), sampling the server's process tree for CPU and memory all
 * along.
 */
import { closedLoop, openLoop, type LoadResult } from '../lib/http-load.ts';
import { summarise, quantileCurve, type LatencySummary } from '../lib/latency.ts';
import fs from 'node:fs';
import path from 'node:path';
import { processTree, TreeSampler, untilQuiet } from '../lib/proc-stats.ts';
import { startProfile, type RunningProfile } from '../lib/inspector-profile.ts';
import { PLAIN_ACCOUNT, SAFE_ACCOUNT } from '../lib/tutorial.ts';
import { buildPushes } from './pushes.ts';
import {
  startServer,
  type BenchDurability,
  type RunningServer,
  type ServerKind,
  type ServerOptions,
  type Stage,
} from './servers.ts';

export type Load =
  | { kind: 'open'; rate: number; seconds: number }
  | { kind: 'closed'; concurrency: number; count: number; maxSeconds: number };

export interface Scenario {
  id: string;
  label: string;
  safe: boolean;
  load: Load;
  /** Deploy the busy-looping neighbour (cloudfn only). */
  hostile?: ServerOptions['hostile'];
}

/** Quantiles the latency chart draws. */
export const CURVE_POINTS = [0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.995, 0.999, 1];

export interface Measurement {
  scenario: string;
  server: ServerKind;
  durability: BenchDurability;
  variant: string;
  round: number;
  sent: number;
  ok: number;
  failures: Record<number, number>;
  /** Answered-200 pushes per second, first send to last answer. */
  ackPerSec: number;
  /** Pushes per second from the first send until the last row was in the table. */
  processedPerSec: number;
  /** False when the rows were not all there by the drain deadline. */
  processedAll: boolean;
  latency: LatencySummary;
  curve: number[];
  /** CPU seconds of the server's process tree, from the first send until the last row. */
  cpuSeconds: number;
  /** Of one core, over the same interval. */
  cpuPercent: number;
  cpuMsPerPush: number;
  /** CPU ms per push of the server's main process alone (cloudfn: without the executors). */
  mainCpuMsPerPush: number;
  peakRssMb: number;
  /** After the warm-up, before the load: how long the tree took to fall quiet, and its CPU ms meanwhile. */
  settle?: { waitedMs: number; cpuMs: number; quiet: boolean };
}

const WARMUP_PUSHES = 300;
const EXECUTOR_ENTRY = 'runtime/executor/executor-entry.ts';

async function waitForRows(
  server: RunningServer,
  expected: number,
  deadline: number,
): Promise<number> {
  for (;;) {
    const n = server.rowCount();
    if (n >= expected || performance.now() > deadline) return n;
    await new Promise((r) => setTimeout(r, 10));
  }
}

function drive(server: RunningServer, scenario: Scenario): Promise<LoadResult> {
  const account = scenario.safe ? SAFE_ACCOUNT : PLAIN_ACCOUNT;
  const { load } = scenario;
  if (load.kind === 'open') {
    const pushes = buildPushes(account, Math.round(load.rate * load.seconds), scenario.safe);
    return openLoop(server.target, pushes, {
      rate: load.rate,
      maxSockets: 256,
      maxMs: load.seconds * 1000 * 1.5,
      timeoutMs: 30_000,
    });
  }
  const pushes = buildPushes(account, load.count, scenario.safe);
  return closedLoop(server.target, pushes, {
    concurrency: load.concurrency,
    maxMs: load.maxSeconds * 1000,
    timeoutMs: 30_000,
  });
}

/** The engine's (first) executor process: its command line names the executor's entry. */
function executorOf(enginePid: number): number | undefined {
  return processTree(enginePid).find((pid) => {
    try {
      return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(EXECUTOR_ENTRY);
    } catch {
      return false;
    }
  });
}

/** Runs the scenario once against a fresh server of this kind. */
export async function runScenario(
  scenario: Scenario,
  kind: ServerKind,
  options: {
    round: number;
    variant: string;
    drainSeconds: number;
    hostile?: ServerOptions['hostile'];
    cpuProfDir?: string;
    root?: string;
    durability?: BenchDurability;
    stage?: Stage;
  },
): Promise<Measurement> {
  const durability = options.durability ?? 'fsync';
  const server = await startServer(kind, {
    ...(options.hostile ? { hostile: options.hostile } : {}),
    ...(options.cpuProfDir ? { cpuProfDir: options.cpuProfDir } : {}),
    ...(options.root ? { root: options.root } : {}),
    ...(options.stage ? { stage: options.stage } : {}),
    durability,
  });
  try {
    // Warm-up: JIT, the function's isolate, SQLite caches. Not measured.
    const account = scenario.safe ? SAFE_ACCOUNT : PLAIN_ACCOUNT;
    const warm = await closedLoop(
      server.target,
      buildPushes(account, WARMUP_PUSHES, scenario.safe),
      { concurrency: 16, maxMs: 30_000, timeoutMs: 30_000 },
    );
    if (warm.ok !== WARMUP_PUSHES)
      throw new Error(`${kind}: warm-up pushes refused: ${JSON.stringify(warm.failures)}`);
    if (warm.sampleBody !== server.answer)
      throw new Error(`${kind} answered "${warm.sampleBody}", not "${server.answer}"`);
    const before = await waitForRows(server, WARMUP_PUSHES, performance.now() + 30_000);
    if (before < WARMUP_PUSHES)
      throw new Error(`${kind}: only ${before} of ${WARMUP_PUSHES} warm-up rows were written`);
    // Start-up work still going (an executor that no warm-up push waited for, isolates being
    // warmed) is not the load's: the measured interval starts once the tree is quiet.
    const settle = await untilQuiet(server.pid);

    // --cpu-prof reaches the engine's process only (its executors get their own execArgv):
    // the executor's profile is taken through its inspector, over the measured load only.
    let executorProfile: RunningProfile | undefined;
    const executorPid =
      kind === 'cloudfn' && options.cpuProfDir ? executorOf(server.pid) : undefined;
    if (options.cpuProfDir && executorPid !== undefined)
      executorProfile = await startProfile(executorPid, EXECUTOR_ENTRY);
    const sampler = new TreeSampler(server.pid);
    sampler.start();
    const result = await drive(server, scenario);
    const expected = before + result.ok;
    const rows = await waitForRows(
      server,
      expected,
      performance.now() + options.drainSeconds * 1000,
    );
    const processedMs = performance.now() - result.startedAt;
    const usage = sampler.stop();
    await executorProfile?.stopInto(
      path.join(
        options.cpuProfDir!,
        `executor-${options.variant}-${options.round}-${executorPid}.cpuprofile`,
      ),
    );
    const processed = rows - before;
    const latency = summarise(result.latenciesMs);
    return {
      scenario: scenario.id,
      server: kind,
      durability,
      variant: options.variant,
      round: options.round,
      sent: result.sent,
      ok: result.ok,
      failures: result.failures,
      ackPerSec: result.ok / (result.elapsedMs / 1000),
      processedPerSec: processed / (processedMs / 1000),
      processedAll: rows >= expected,
      latency,
      curve: quantileCurve(result.latenciesMs, CURVE_POINTS),
      cpuSeconds: usage.cpuSeconds,
      cpuPercent: (usage.cpuSeconds / (processedMs / 1000)) * 100,
      cpuMsPerPush: (usage.cpuSeconds * 1000) / Math.max(1, processed),
      mainCpuMsPerPush: (usage.rootCpuSeconds * 1000) / Math.max(1, processed),
      peakRssMb: usage.peakRssMb,
      settle,
    };
  } finally {
    await server.stop();
  }
}
