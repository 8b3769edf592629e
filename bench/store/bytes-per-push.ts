/**
 * Bytes written per push by the engine's main process (issue 14, item 3): the card
 * tutorial's engine (one function trigger per push) takes `--count` signed pushes; the
 * growth of `write_bytes` in /proc/<pid>/io across them (what the process sent to storage:
 * engine.db and its log; the tables are written by the executor, another process), divided
 * by the pushes. With `--baseline DIR`, the engine of the checkout DIR is measured the same
 * way, alternating with this one's, for a same-run A/B (DIR needs node_modules and dist,
 * e.g. symlinks to this checkout's). Run: `npm exec -- node --no-node-snapshot
 * bench/store/bytes-per-push.ts [--count N] [--rounds N] [--baseline DIR]`. Linux only.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startServer, type RunningServer } from '../e2e/servers.ts';
import { buildPushes } from '../e2e/pushes.ts';
import { closedLoop } from '../lib/http-load.ts';
import { PLAIN_ACCOUNT } from '../lib/tutorial.ts';

const { values: args } = parseArgs({
  options: {
    count: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '2' },
    baseline: { type: 'string' },
  },
});
const count = Number(args.count);
const rounds = Number(args.rounds);

/** What the process has sent to storage so far (bytes). */
function writeBytes(pid: number): number {
  const io = fs.readFileSync(`/proc/${pid}/io`, 'utf8');
  return Number(/^write_bytes: (\d+)$/m.exec(io)![1]);
}

/** Resolves once the pushes sent so far have all run (one card row each). */
async function processed(server: RunningServer, rows: number): Promise<void> {
  for (let i = 0; i < 6000 && server.rowCount() < rows; i++)
    await new Promise((r) => setTimeout(r, 20));
  if (server.rowCount() < rows) throw new Error(`only ${server.rowCount()} of ${rows} pushes ran`);
  // The bookkeeping of the last runs is written behind: let it land.
  await new Promise((r) => setTimeout(r, 500));
}

async function measure(root?: string): Promise<number> {
  const server = await startServer('cloudfn', root ? { root } : {});
  try {
    const send = async (n: number) => {
      const result = await closedLoop(server.target, buildPushes(PLAIN_ACCOUNT, n, false), {
        concurrency: 8,
        maxMs: 600_000,
        timeoutMs: 10_000,
      });
      if (result.ok !== n) throw new Error(`${n - result.ok} pushes failed`);
    };
    await send(200); // warm-up: tables, isolates, the first pages of every table
    await processed(server, 200);
    const before = writeBytes(server.pid);
    await send(count);
    await processed(server, 200 + count);
    return (writeBytes(server.pid) - before) / count;
  } finally {
    await server.stop();
  }
}

const variants: { name: string; root?: string }[] = [
  ...(args.baseline ? [{ name: 'baseline', root: path.resolve(args.baseline) }] : []),
  { name: 'this checkout' },
];
const figures = new Map<string, number[]>(variants.map((v) => [v.name, []]));
for (let round = 0; round < rounds; round++)
  for (const v of variants) {
    const perPush = await measure(v.root);
    figures.get(v.name)!.push(perPush);
    process.stdout.write(`round ${round + 1} ${v.name}: ${Math.round(perPush)} bytes per push\n`);
  }
for (const [name, values] of figures) {
  const sorted = [...values].sort((a, b) => a - b);
  process.stdout.write(
    `${name}: median ${Math.round(sorted[Math.floor(sorted.length / 2)]!)} bytes written per push (${count} pushes, ${rounds} rounds)\n`,
  );
}
