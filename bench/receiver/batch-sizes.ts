/**
 * How large the group commits get: an engine in this process (so its inbox can be watched),
 * pushes over loopback HTTP at 1, 16 and 64 in flight, and each inbox transaction's size
 * counted. The client shares this process's CPU, so only the batch sizes are reported here.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { resolveConfig } from '../../engine/config.ts';
import { startEngine } from '../../engine/main.ts';
import { closedLoop, type LoadRequest } from '../lib/http-load.ts';

export interface BatchSizes {
  concurrency: number;
  pushes: number;
  commits: number;
  mean: number;
  max: number;
}

/** Runs `build(count)` pushes (to the plain account `appId`/`token`) at each concurrency. */
export async function measureBatchSizes(
  appId: string,
  token: string,
  build: (count: number) => LoadRequest[],
  concurrencies: number[],
  maxMs: number,
): Promise<BatchSizes[]> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudfn-bench-batches-'));
  const engine = await startEngine(
    resolveConfig({}, { port: 0, host: '127.0.0.1', dataDir, adminToken: 'bench' }),
    { log: pino({ level: 'silent' }) },
  );
  try {
    const sizes: number[] = [];
    const inbox = engine.store.inbox;
    const acceptMany = inbox.acceptMany.bind(inbox);
    inbox.acceptMany = (entries) => {
      sizes.push(entries.length);
      return acceptMany(entries);
    };
    const put = await fetch(`${engine.url}/api/v1/wechat/accounts/${appId}`, {
      method: 'PUT',
      headers: { authorization: 'Bearer bench', 'content-type': 'application/json' },
      body: JSON.stringify({ token, mode: 'plain' }),
    });
    if (put.status !== 200) throw new Error(`PUT account: ${put.status}`);
    const target = { host: '127.0.0.1', port: Number(new URL(engine.url).port) };
    const out: BatchSizes[] = [];
    for (const concurrency of concurrencies) {
      sizes.length = 0;
      const result = await closedLoop(target, build(8000), {
        concurrency,
        maxMs,
        timeoutMs: 10_000,
      });
      const committed = sizes.reduce((a, b) => a + b, 0);
      if (committed !== result.ok)
        throw new Error(`${result.ok} answered but ${committed} committed`);
      out.push({
        concurrency,
        pushes: result.ok,
        commits: sizes.length,
        mean: committed / sizes.length,
        max: Math.max(...sizes),
      });
    }
    return out;
  } finally {
    await engine.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
