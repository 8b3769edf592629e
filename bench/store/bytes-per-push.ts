/**
 * Bytes per push in engine.db (issue 14, item 3): the card tutorial's engine (one function
 * trigger per push) takes `--count` signed pushes. Two figures per push: the growth of the
 * rows' payload in the inbox, trigger_logs, queue and jobs tables (SQLite's dbstat: what is
 * stored), and the growth of `write_bytes` in /proc/<pid>/io (what the main process sent to
 * storage: engine.db and its log, whole pages, checkpoints included; the tables are written
 * by the executor, another process). With `--baseline DIR`, the engine of the checkout DIR is measured the same
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
import Database from 'better-sqlite3';
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

const TABLES = ['inbox', 'trigger_logs', 'queue', 'jobs'];

/** The payload bytes of the delivery tables and jobs in the engine's database, per table. */
function storedBytes(pid: number): Record<string, number> {
  const environ = fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
  const dataDir = environ.find((v) => v.startsWith('CLOUDFN_DATA_DIR='))!.slice(17);
  const db = new Database(path.join(dataDir, 'engine.db'), { readonly: true });
  try {
    const rows = db
      .prepare(
        `SELECT name, SUM(payload) AS n FROM dbstat WHERE name IN (${TABLES.map(() => '?').join(', ')}) GROUP BY name`,
      )
      .all(...TABLES) as { name: string; n: number }[];
    return Object.fromEntries(TABLES.map((t) => [t, rows.find((r) => r.name === t)?.n ?? 0]));
  } finally {
    db.close();
  }
}

/** Resolves once the pushes sent so far have all run (one card row each). */
async function processed(server: RunningServer, rows: number): Promise<void> {
  for (let i = 0; i < 6000 && server.rowCount() < rows; i++)
    await new Promise((r) => setTimeout(r, 20));
  if (server.rowCount() < rows) throw new Error(`only ${server.rowCount()} of ${rows} pushes ran`);
  // The bookkeeping of the last runs is written behind: let it land.
  await new Promise((r) => setTimeout(r, 500));
}

interface PerPush {
  written: number;
  stored: number;
  byTable: Record<string, number>;
}

async function measure(root?: string): Promise<PerPush> {
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
    const before = { written: writeBytes(server.pid), stored: storedBytes(server.pid) };
    await send(count);
    await processed(server, 200 + count);
    const after = storedBytes(server.pid);
    const byTable = Object.fromEntries(
      TABLES.map((t) => [t, Math.round((after[t]! - before.stored[t]!) / count)]),
    );
    return {
      written: (writeBytes(server.pid) - before.written) / count,
      stored: Object.values(byTable).reduce((a, b) => a + b, 0),
      byTable,
    };
  } finally {
    await server.stop();
  }
}

const variants: { name: string; root?: string }[] = [
  ...(args.baseline ? [{ name: 'baseline', root: path.resolve(args.baseline) }] : []),
  { name: 'this checkout' },
];
const figures = new Map<string, PerPush[]>(variants.map((v) => [v.name, []]));
for (let round = 0; round < rounds; round++)
  for (const v of variants) {
    const perPush = await measure(v.root);
    figures.get(v.name)!.push(perPush);
    process.stdout.write(
      `round ${round + 1} ${v.name}: ${Math.round(perPush.stored)} bytes stored (${JSON.stringify(perPush.byTable)}), ${Math.round(perPush.written)} bytes written per push\n`,
    );
  }
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
for (const [name, values] of figures)
  process.stdout.write(
    `${name}: median ${Math.round(median(values.map((v) => v.stored)))} bytes stored, ${Math.round(median(values.map((v) => v.written)))} bytes written per push (${count} pushes, ${rounds} rounds)\n`,
  );
