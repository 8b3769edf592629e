/**
 * WeChat receiver throughput and answer latency (issue 4). Run:
 *   npm exec -- node --no-node-snapshot bench/receiver/index.ts        (BENCH_QUICK=1: shorter)
 * A real engine (`cloudfn serve`, child process, synchronous=FULL) takes unique text pushes
 * over loopback HTTP from a closed-loop client (1, 16 and 64 in flight) in plaintext and in
 * safe mode (AES + msg_signature). No trigger matches them, so what is measured is the
 * receiver: verify, decrypt, parse, commit to the inbox, answer `success`. Also measured on
 * the same disk: what one durable commit per push would allow, the ceiling group commit lifts.
 * Figures go to docs/performance.md by hand; the machine is shared, so read them as ratios.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { prepareAccount, signPush } from '../../engine/wechat/index.ts';
import { closedLoop, type LoadRequest } from '../lib/http-load.ts';
import { median, summarise } from '../lib/latency.ts';
import { startEngineProcess } from './engine-process.ts';
import { commitCeiling } from './commit-ceiling.ts';
import { cpuSeconds } from './cpu-time.ts';
import { groupCommitAB } from './group-commit-ab.ts';

const QUICK = process.env.BENCH_QUICK === '1';
const ROUNDS = QUICK ? 1 : 5;
const ROUND_MS = QUICK ? 1500 : 3000;
const MAX_PUSHES = 40_000;
const CONCURRENCY = [1, 16, 64];

const ACCOUNTS = {
  plain: { appId: 'wxbenchreceiverpln', token: 'benchtoken', mode: 'plain' as const },
  safe: {
    appId: 'wx2c2769f8efd9abc2',
    token: 'spamtest',
    encodingAESKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
    mode: 'safe' as const,
  },
};
type Mode = keyof typeof ACCOUNTS;
const MODES: Mode[] = ['plain', 'safe'];

let nextMsgId = 6_000_000_000_000_000_000n;

/** `count` distinct text pushes (64-bit MsgIds), signed and, in safe mode, encrypted now. */
function buildPushes(mode: Mode, count: number): LoadRequest[] {
  const account = prepareAccount(ACCOUNTS[mode]);
  const now = Math.floor(Date.now() / 1000);
  return Array.from({ length: count }, () => {
    const body = `<xml><ToUserName><![CDATA[gh_7f083739789a]]></ToUserName><FromUserName><![CDATA[oia2TjuEGTNoeX76QEjQNrcURxG8]]></FromUserName><CreateTime>${now}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[你好, cloudfn]]></Content><MsgId>${nextMsgId++}</MsgId></xml>`;
    const signed = signPush(account, { body, timestamp: now, encrypt: mode === 'safe' });
    return {
      path: `/wechat/${account.appId}?${new URLSearchParams(signed.query).toString()}`,
      body: Buffer.from(signed.body),
      contentType: signed.contentType,
    };
  });
}

interface Row {
  mode: Mode;
  concurrency: number;
  pushesPerSecond: number;
  p50: number;
  p99: number;
  /** CPU time of the engine process per answered push, µs. */
  cpuMicros: number;
  answered: number;
}

const fmt = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function main(): Promise<void> {
  const cpus = os.cpus();
  console.log(
    `${cpus[0]?.model ?? 'unknown CPU'} ×${cpus.length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Linux ${os.release()}, node ${process.version}`,
  );
  console.log(
    `${ROUNDS} round(s) of ${ROUND_MS} ms per cell (median reported); client and engine share the machine\n`,
  );

  const engine = await startEngineProcess();
  let answered = 0;
  const rows: Row[] = [];
  try {
    await engine.api('PUT', `/wechat/accounts/${ACCOUNTS.plain.appId}`, {
      token: ACCOUNTS.plain.token,
      mode: 'plain',
    });
    await engine.api('PUT', `/wechat/accounts/${ACCOUNTS.safe.appId}`, {
      token: ACCOUNTS.safe.token,
      encodingAESKey: ACCOUNTS.safe.encodingAESKey,
      mode: 'safe',
    });
    const target = { host: engine.host, port: engine.port };
    // Warm-up: JIT, sockets, SQLite page cache.
    for (const mode of MODES)
      answered += (
        await closedLoop(target, buildPushes(mode, 500), {
          concurrency: 16,
          maxMs: 5000,
          timeoutMs: 10_000,
        })
      ).ok;
    for (const concurrency of CONCURRENCY) {
      // Rounds alternate the modes, so a change in the machine's load hits both alike.
      const rounds: Record<Mode, Row[]> = { plain: [], safe: [] };
      for (let round = 0; round < ROUNDS; round++) {
        for (const mode of MODES) {
          const pushes = buildPushes(mode, concurrency === 1 ? 5000 : MAX_PUSHES);
          const cpuBefore = cpuSeconds(engine.pid);
          const result = await closedLoop(target, pushes, {
            concurrency,
            maxMs: ROUND_MS,
            timeoutMs: 10_000,
          });
          const cpu = cpuSeconds(engine.pid) - cpuBefore;
          if (Object.keys(result.failures).length > 0)
            throw new Error(`${mode} ×${concurrency}: failures ${JSON.stringify(result.failures)}`);
          if (result.sampleBody !== 'success')
            throw new Error(
              `${mode} ×${concurrency}: answered ${JSON.stringify(result.sampleBody)}`,
            );
          answered += result.ok;
          const latency = summarise(result.latenciesMs);
          rounds[mode].push({
            mode,
            concurrency,
            pushesPerSecond: (result.ok / result.elapsedMs) * 1000,
            p50: latency.p50,
            p99: latency.p99,
            cpuMicros: (cpu / result.ok) * 1e6,
            answered: result.ok,
          });
        }
      }
      for (const mode of MODES) {
        const row: Row = {
          mode,
          concurrency,
          pushesPerSecond: median(rounds[mode].map((r) => r.pushesPerSecond)),
          p50: median(rounds[mode].map((r) => r.p50)),
          p99: median(rounds[mode].map((r) => r.p99)),
          cpuMicros: median(rounds[mode].map((r) => r.cpuMicros)),
          answered: rounds[mode].reduce((n, r) => n + r.answered, 0),
        };
        rows.push(row);
        console.log(
          `${mode.padEnd(5)} ×${String(concurrency).padEnd(3)} ${fmt(row.pushesPerSecond).padStart(7)} pushes/s   p50 ${fmt(row.p50, 2).padStart(6)} ms   p99 ${fmt(row.p99, 2).padStart(6)} ms   engine CPU ${fmt(row.cpuMicros).padStart(4)} µs/push   (${fmt(row.answered)} answered)`,
        );
      }
    }
    // Every push answered `success` must be in the inbox: the bench double-checks durability.
    const db = new Database(path.join(engine.dataDir, 'engine.db'), { readonly: true });
    const stored = (
      db.prepare("SELECT count(*) AS n FROM inbox WHERE source = 'wechat_message'").get() as {
        n: number;
      }
    ).n;
    db.close();
    if (stored !== answered) throw new Error(`${answered} pushes answered but ${stored} stored`);
    console.log(`\nall ${fmt(answered)} answered pushes are in the inbox`);
  } finally {
    await engine.stop();
  }

  console.log(
    '\ngroup commit A/B, engine in this process, plain pushes (A: grouped, B: one commit per push):',
  );
  const ab = await groupCommitAB(ACCOUNTS.plain, (n) => buildPushes('plain', n), {
    concurrencies: CONCURRENCY,
    rounds: ROUNDS,
    maxMs: ROUND_MS,
  });
  for (const { concurrency, grouped: a, oneByOne: b } of ab) {
    console.log(
      `  ×${String(concurrency).padEnd(3)} A ${fmt(a.pushesPerSecond).padStart(6)}/s p50 ${fmt(a.p50, 2).padStart(6)} p99 ${fmt(a.p99, 2).padStart(6)} ms (${fmt(a.perCommit, 1)} per commit)` +
        `   B ${fmt(b.pushesPerSecond).padStart(6)}/s p50 ${fmt(b.p50, 2).padStart(6)} p99 ${fmt(b.p99, 2).padStart(6)} ms   A/B ${(a.pushesPerSecond / b.pushesPerSecond).toFixed(2)}×`,
    );
  }

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudfn-bench-commit-'));
  try {
    const ceiling = await commitCeiling(path.join(dir, 'engine.db'));
    console.log(`\nsame disk, synchronous=FULL, no HTTP:`);
    console.log(
      `  one commit per push:      ${fmt(ceiling.singlePerSecond).padStart(7)} pushes/s (${fmt(1000 / ceiling.singlePerSecond, 2)} ms per commit)`,
    );
    console.log(
      `  commits of 32 (grouped):  ${fmt(ceiling.groupedPerSecond).padStart(7)} pushes/s`,
    );
    const best = Math.max(...rows.map((r) => r.pushesPerSecond));
    console.log(
      `  best receiver figure / one-commit-per-push ceiling: ${(best / ceiling.singlePerSecond).toFixed(1)}×`,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
