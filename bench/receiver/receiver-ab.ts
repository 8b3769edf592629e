/**
 * The receiver alone, this checkout against another (an A/B of a change to the receiver).
 * Run: `npm exec -- node --no-node-snapshot bench/receiver/receiver-ab.ts --baseline DIR`
 * (`--rounds N`, default 7; `--pushes N` per run, default 8,000; `--cpu-prof DIR` for a CPU
 * profile of each engine; DIR a checkout with a `node_modules` link and a built `dist/`).
 *
 * Both engines (`cloudfn serve`, child processes, `CLOUDFN_DURABILITY=process`, so the disk's
 * flush rate is out of the way) take the end-to-end bench's unique card pushes
 * (bench/e2e/pushes.ts: no MsgId, so each is deduplicated by the hash of its text) from a
 * closed loop of 64 in flight, in plaintext and in safe mode. No trigger matches them: what
 * is measured is everything a push costs the engine's main process up to its answer (HTTP,
 * koa, verify, decrypt, parse, dedup key, the inbox's commit), from /proc as CPU per answered
 * push. Each round runs both engines in both modes, the engines' order flipping every round;
 * the per-round ratio is this / baseline, and its median is the figure.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildPushes } from '../e2e/pushes.ts';
import { closedLoop } from '../lib/http-load.ts';
import { median } from '../lib/latency.ts';
import { PLAIN_ACCOUNT, SAFE_ACCOUNT, type BenchAccount } from '../lib/tutorial.ts';
import { cpuSeconds } from './cpu-time.ts';
import { startEngineProcess, type EngineProcess } from './engine-process.ts';

const { values: args } = parseArgs({
  options: {
    baseline: { type: 'string' },
    rounds: { type: 'string', default: '7' },
    pushes: { type: 'string', default: '8000' },
    'cpu-prof': { type: 'string' },
  },
});
if (!args.baseline) throw new Error('--baseline DIR is required');
const ROUNDS = Number(args.rounds);
const PUSHES = Number(args.pushes);
const MODES = [
  { mode: 'plain', account: PLAIN_ACCOUNT, safe: false },
  { mode: 'safe', account: SAFE_ACCOUNT, safe: true },
] as const;
type Side = 'this' | 'baseline';

async function register(engine: EngineProcess, account: BenchAccount): Promise<void> {
  await engine.api('PUT', `/wechat/accounts/${account.appId}`, {
    token: account.token,
    ...(account.encodingAESKey
      ? { encodingAESKey: account.encodingAESKey, mode: 'safe' }
      : { mode: 'plain' }),
  });
}

/** CPU µs of the engine's main process per answered push, and pushes/s, for one run. */
async function run(
  engine: EngineProcess,
  account: BenchAccount,
  safe: boolean,
  count: number,
): Promise<{ cpuMicros: number; perSecond: number }> {
  const pushes = buildPushes(account, count, safe);
  const before = cpuSeconds(engine.pid);
  const result = await closedLoop({ host: engine.host, port: engine.port }, pushes, {
    concurrency: 64,
    maxMs: 120_000,
    timeoutMs: 10_000,
  });
  const cpu = cpuSeconds(engine.pid) - before;
  if (Object.keys(result.failures).length > 0 || result.sampleBody !== 'success')
    throw new Error(`failures ${JSON.stringify(result.failures)}, answer ${result.sampleBody}`);
  return { cpuMicros: (cpu / result.ok) * 1e6, perSecond: (result.ok / result.elapsedMs) * 1000 };
}

const env = { CLOUDFN_DURABILITY: 'process' };
const profile = (side: Side) =>
  args['cpu-prof']
    ? [
        '--cpu-prof',
        '--cpu-prof-dir',
        path.resolve(args['cpu-prof']),
        '--cpu-prof-name',
        `${side}.cpuprofile`,
      ]
    : [];
const engines: Record<Side, EngineProcess> = {
  this: await startEngineProcess({ env, nodeArgs: profile('this') }),
  baseline: await startEngineProcess({
    root: path.resolve(args.baseline),
    env,
    nodeArgs: profile('baseline'),
  }),
};
try {
  for (const engine of Object.values(engines)) {
    for (const { account, safe } of MODES) {
      await register(engine, account);
      await run(engine, account, safe, 1000); // warm-up: JIT, sockets, page cache
    }
  }
  const ratios: Record<string, { cpu: number[]; rate: number[]; cpuThis: number[] }> = {
    plain: { cpu: [], rate: [], cpuThis: [] },
    safe: { cpu: [], rate: [], cpuThis: [] },
  };
  for (let round = 1; round <= ROUNDS; round++) {
    const order: Side[] = round % 2 ? ['this', 'baseline'] : ['baseline', 'this'];
    for (const { mode, account, safe } of MODES) {
      const got = {} as Record<Side, { cpuMicros: number; perSecond: number }>;
      for (const side of order) got[side] = await run(engines[side], account, safe, PUSHES);
      const cpu = got.this.cpuMicros / got.baseline.cpuMicros;
      const rate = got.this.perSecond / got.baseline.perSecond;
      ratios[mode]!.cpu.push(cpu);
      ratios[mode]!.rate.push(rate);
      ratios[mode]!.cpuThis.push(got.this.cpuMicros);
      console.log(
        `round ${round} ${mode.padEnd(5)} CPU µs/push baseline ${got.baseline.cpuMicros.toFixed(0)} → this ${got.this.cpuMicros.toFixed(0)} (${cpu.toFixed(2)}×)   pushes/s ${got.baseline.perSecond.toFixed(0)} → ${got.this.perSecond.toFixed(0)} (${rate.toFixed(2)}×)`,
      );
    }
  }
  for (const { mode } of MODES) {
    const r = ratios[mode]!;
    const list = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(' ');
    console.log(
      `${mode}: CPU per push, this / baseline, median ${median(r.cpu).toFixed(2)}× (per round ${list(r.cpu)}); pushes/s ${median(r.rate).toFixed(2)}× (${list(r.rate)}); this: ${median(r.cpuThis).toFixed(0)} µs/push`,
    );
  }
} finally {
  await Promise.all(Object.values(engines).map((engine) => engine.stop()));
}
