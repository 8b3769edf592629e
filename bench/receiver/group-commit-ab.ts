/**
 * Group commit, A/B, over HTTP: an engine in this process (so its inbox can be watched and
 * switched), pushes over loopback at 1, 16 and 64 in flight, with the receiver's grouped
 * commits (A) and with each push committed in its own transaction (B: the inbox's batch
 * call replaced by one `accept` per entry; the pushes of a turn then also wait for the turn's
 * last commit, which the receiver before group commit did not do, so B's p50 is a little
 * pessimistic, its throughput is not). Rounds alternate A and B. The client shares this
 * process's CPU, so compare A with B, not with other benches.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import type { InboxEntry } from '../../engine/store/index.ts';
import { resolveConfig } from '../../engine/config.ts';
import { startEngine } from '../../engine/main.ts';
import { closedLoop, type LoadRequest } from '../lib/http-load.ts';
import { median, summarise } from '../lib/latency.ts';

export interface CommitFigures {
  pushesPerSecond: number;
  p50: number;
  p99: number;
  /** Pushes per inbox transaction, on average. */
  perCommit: number;
}

export interface GroupCommitRow {
  concurrency: number;
  grouped: CommitFigures;
  oneByOne: CommitFigures;
}

/** Runs pushes from `build(count)` to the plain account at each concurrency, A and B. */
export async function groupCommitAB(
  account: { appId: string; token: string },
  build: (count: number) => LoadRequest[],
  options: { concurrencies: number[]; rounds: number; maxMs: number },
): Promise<GroupCommitRow[]> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudfn-bench-group-commit-'));
  const engine = await startEngine(
    resolveConfig({}, { port: 0, host: '127.0.0.1', dataDir, adminToken: 'bench' }),
    { log: pino({ level: 'silent' }) },
  );
  try {
    const delivery = engine.store.delivery;
    const accept = delivery.accept.bind(delivery);
    let grouped = true;
    let commits = 0;
    // B: each entry of a group accepted alone, one after the other (a commit and an fsync each).
    delivery.accept = async (entries: InboxEntry[]) => {
      if (grouped) {
        commits++;
        return accept(entries);
      }
      const results: boolean[] = [];
      for (const entry of entries) {
        commits++;
        results.push(...(await accept([entry])));
      }
      return results;
    };
    const put = await fetch(`${engine.url}/api/v1/wechat/accounts/${account.appId}`, {
      method: 'PUT',
      headers: { authorization: 'Bearer bench', 'content-type': 'application/json' },
      body: JSON.stringify({ token: account.token, mode: 'plain' }),
    });
    if (put.status !== 200) throw new Error(`PUT account: ${put.status}`);
    const target = { host: '127.0.0.1', port: Number(new URL(engine.url).port) };
    await closedLoop(target, build(500), { concurrency: 16, maxMs: 5000, timeoutMs: 10_000 }); // warm-up

    const rows: GroupCommitRow[] = [];
    for (const concurrency of options.concurrencies) {
      const runs: Record<'grouped' | 'oneByOne', CommitFigures[]> = { grouped: [], oneByOne: [] };
      for (let round = 0; round < options.rounds; round++) {
        for (const variant of ['grouped', 'oneByOne'] as const) {
          grouped = variant === 'grouped';
          commits = 0;
          const result = await closedLoop(target, build(40_000), {
            concurrency,
            maxMs: options.maxMs,
            timeoutMs: 10_000,
          });
          if (Object.keys(result.failures).length > 0)
            throw new Error(`failures ${JSON.stringify(result.failures)}`);
          const latency = summarise(result.latenciesMs);
          runs[variant].push({
            pushesPerSecond: (result.ok / result.elapsedMs) * 1000,
            p50: latency.p50,
            p99: latency.p99,
            perCommit: result.ok / commits,
          });
        }
      }
      const med = (list: CommitFigures[]): CommitFigures => ({
        pushesPerSecond: median(list.map((f) => f.pushesPerSecond)),
        p50: median(list.map((f) => f.p50)),
        p99: median(list.map((f) => f.p99)),
        perCommit: median(list.map((f) => f.perCommit)),
      });
      rows.push({ concurrency, grouped: med(runs.grouped), oneByOne: med(runs.oneByOne) });
    }
    return rows;
  } finally {
    await engine.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
