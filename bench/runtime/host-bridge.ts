/**
 * The cost of one host call from a function, answered at once (the synchronous bridge, the
 * SQLite store) or through a promise (the asynchronous bridge, a store such as PostgreSQL
 * that waits on the network), with HostOps doing no I/O so only the bridge is measured.
 * Short jobs (a few calls each) stay within a job's synchronous entries; a long job (a loop
 * of thousands of calls) passes them, and its later answers enter through isolated-vm's
 * asynchronous `apply` (docs/runtime.md, "The synchronous bridge").
 */
import { fileURLToPath } from 'node:url';
import { bundleFunction, createSandbox } from '../../runtime/index.ts';
import { SYNC_ENTRIES_PER_JOB } from '../../runtime/executor/function-instance.ts';
import type { FunctionVersion } from '../../runtime/sandbox.ts';
import { median } from '../lib/latency.ts';

const CALLER = `exports.main = async (event) => { const t = new BaaS.TableObject('x'); for (let i = 0; i < event.data; i++) await t.count(); return event.data }`;
const MODULE = fileURLToPath(new URL('./answer-mode-host-ops.ts', import.meta.url));

export interface BridgeCosts {
  /** µs per call in jobs of `short` calls, median over jobs (minus an empty job's time). */
  short: number;
  /** µs per call in one job of `long` calls. */
  long: number;
}

/** Calls per short job: well within the synchronous entries a job may make. */
export const SHORT_CALLS = Math.floor(SYNC_ENTRIES_PER_JOB / 2);

async function costs(async: boolean, jobs: number, long: number): Promise<BridgeCosts> {
  const sandbox = createSandbox({ hostOps: { module: MODULE, options: { async } } });
  try {
    await sandbox.ready();
    const { code } = await bundleFunction({ source: CALLER, filename: 'caller.js' });
    const fn: FunctionVersion = {
      name: 'caller',
      version: 1,
      code,
      timeoutMs: 120_000,
      memoryMb: 128,
      env: {},
    };
    const runMs = async (n: number, jobId: string): Promise<number> => {
      const out = await sandbox.invoke({ fn, event: { data: n, eventType: 'invoke', jobId } });
      if (out.status !== 'fulfilled') throw new Error(`bridge run failed: ${out.error?.message}`);
      return out.durationMs;
    };
    for (let i = 0; i < 200; i++) await runMs(SHORT_CALLS, 'warm-up');
    const empty: number[] = [];
    const short: number[] = [];
    for (let i = 0; i < jobs; i++) {
      empty.push(await runMs(0, `e${i}`));
      short.push(await runMs(SHORT_CALLS, `s${i}`));
    }
    await runMs(1000, 'warm-up-long');
    const longMs = await runMs(long, 'long');
    return {
      short: ((median(short) - median(empty)) * 1000) / SHORT_CALLS,
      long: (longMs * 1000) / long,
    };
  } finally {
    await sandbox.close();
  }
}

/** Per-call costs of both bridges, measured alternately in this run. */
export async function benchHostBridge(
  quick: boolean,
): Promise<{ sync: BridgeCosts; async: BridgeCosts }> {
  const jobs = quick ? 300 : 1500;
  const long = quick ? 5000 : 20_000;
  const sync: BridgeCosts[] = [];
  const async: BridgeCosts[] = [];
  for (let round = 0; round < 3; round++) {
    sync.push(await costs(false, jobs, long));
    async.push(await costs(true, jobs, long));
  }
  const pick = (list: BridgeCosts[]): BridgeCosts => ({
    short: median(list.map((c) => c.short)),
    long: median(list.map((c) => c.long)),
  });
  return { sync: pick(sync), async: pick(async) };
}
