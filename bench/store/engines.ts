/**
 * Pushes processed per second by real engine processes (`cloudfn serve`): one on SQLite,
 * then 1 and 2 on one PostgreSQL (issue 16), in one run, so the ratios compare like with like.
 * Each processes MinCloud's card tutorial (a function writing a row per push). Run:
 *   npm exec -- node --no-node-snapshot bench/store/engines.ts [--count N]
 * against CLOUDFN_BENCH_DATABASE_URL (default: the local test server), in a schema of its own
 * per setup, dropped after. Without a server only SQLite runs. Processes of one setup share
 * their data dir (the secrets key, the tables), as processes on one machine would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { buildPushes } from '../e2e/pushes.ts';
import { closedLoop } from '../lib/http-load.ts';
import { summarise } from '../lib/latency.ts';
import {
  FUNCTION_FILE,
  PLAIN_ACCOUNT,
  REPO_ROOT,
  TABLE_FIELDS,
  TABLE_NAME,
  tutorialTrigger,
} from '../lib/tutorial.ts';

const { values: args } = parseArgs({ options: { count: { type: 'string' } } });
const COUNT = Number(args.count ?? (process.env.BENCH_QUICK === '1' ? 300 : 3000));
const NODE = path.join(REPO_ROOT, 'node_modules/.bin/node');
const TOKEN = 'bench-admin-token-0123456789abcdef';
const baseUrl = process.env.CLOUDFN_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

interface Engine {
  base: string;
  port: number;
  child: ChildProcess;
}

async function startEngine(dataDir: string, databaseUrl?: string): Promise<Engine> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_OPTIONS: '',
    PORT: '0',
    HOST: '127.0.0.1',
    CLOUDFN_DATA_DIR: dataDir,
    CLOUDFN_ADMIN_TOKEN: TOKEN,
    ...(databaseUrl ? { CLOUDFN_DATABASE_URL: databaseUrl } : {}),
  };
  const child = spawn(NODE, ['--no-node-snapshot', 'bin/cloudfn.js', 'serve'], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no start in 60 s:\n${out}`)), 60_000);
    const read = (chunk: Buffer) => {
      out = (out + chunk.toString()).slice(-8000);
      const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.once('exit', (code) => reject(new Error(`exited ${code}:\n${out}`)));
  });
  return { base: `http://127.0.0.1:${port}`, port, child };
}

async function api(
  base: string,
  method: string,
  route: string,
  body?: unknown,
): Promise<{ meta: { total_count: number } }> {
  const res = await fetch(`${base}/api/v1${route}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${route}: ${res.status} ${text}`);
  return JSON.parse(text) as { meta: { total_count: number } };
}

async function stop(engine: Engine): Promise<void> {
  if (engine.child.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    const kill = setTimeout(() => engine.child.kill('SIGKILL'), 20_000);
    engine.child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    engine.child.kill('SIGTERM');
  });
}

/** Starts the processes, sets the tutorial up, sends COUNT pushes spread over them. */
async function run(label: string, processes: number, databaseUrl?: string): Promise<string[]> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudfn-bench-store-'));
  const engines: Engine[] = [];
  try {
    // The first one alone: it creates the secrets key and the schema the others find.
    engines.push(await startEngine(dataDir, databaseUrl));
    for (let i = 1; i < processes; i++) engines.push(await startEngine(dataDir, databaseUrl));
    const first = engines[0]!.base;
    await api(first, 'PUT', `/wechat/accounts/${PLAIN_ACCOUNT.appId}`, {
      token: PLAIN_ACCOUNT.token,
    });
    // Tables stay in the shared data dir (SQLite): each process creates its view of it.
    await api(first, 'POST', '/tables', { name: TABLE_NAME, fields: TABLE_FIELDS });
    await api(first, 'PUT', '/functions/user_consume_card', {
      code: fs.readFileSync(FUNCTION_FILE, 'utf8'),
    });
    await api(first, 'POST', '/triggers', tutorialTrigger(PLAIN_ACCOUNT.appId));
    // Other processes see the trigger once they reload (the change feed) or poll.
    await new Promise((r) => setTimeout(r, 1500));
    const pushes = buildPushes(PLAIN_ACCOUNT, COUNT, false);
    const started = performance.now();
    const results = await Promise.all(
      engines.map((e, i) =>
        closedLoop(
          { host: '127.0.0.1', port: e.port },
          pushes.filter((_, n) => n % engines.length === i),
          { concurrency: 32, maxMs: 600_000, timeoutMs: 30_000 },
        ),
      ),
    );
    const answered = performance.now() - started;
    let done = 0;
    while (performance.now() - started < 600_000) {
      const jobs = await api(
        first,
        'GET',
        '/functions/user_consume_card/jobs?status=fulfilled&limit=1',
      );
      done = jobs.meta.total_count;
      if (done >= COUNT) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const processed = performance.now() - started;
    const latencies = Float64Array.from(results.flatMap((r) => [...r.latenciesMs])).sort();
    const failures = results.reduce(
      (n, r) => n + Object.values(r.failures).reduce((x, y) => x + y, 0),
      0,
    );
    return [
      label,
      String(Math.round(COUNT / (answered / 1000))),
      String(Math.round(done / (processed / 1000))),
      summarise(latencies).p99.toFixed(1),
      `${done}/${COUNT}${failures ? `, ${failures} refused` : ''}`,
    ];
  } finally {
    await Promise.all(engines.map(stop));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const rows: string[][] = [await run('SQLite, 1 process', 1)];
  const admin = new pg.Client({ connectionString: baseUrl, connectionTimeoutMillis: 3000 });
  let reachable = true;
  try {
    await admin.connect();
  } catch (err) {
    reachable = false;
    console.log(`PostgreSQL unreachable (${(err as Error).message}): SQLite only.`);
  }
  if (reachable) {
    for (const processes of [1, 2]) {
      const schema = `bench_${crypto.randomBytes(5).toString('hex')}`;
      await admin.query(`CREATE SCHEMA ${schema}`);
      const url = new URL(baseUrl);
      url.searchParams.set('options', `-c search_path=${schema}`);
      try {
        rows.push(
          await run(
            `PostgreSQL, ${processes} process${processes > 1 ? 'es' : ''}`,
            processes,
            url.toString(),
          ),
        );
      } finally {
        await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      }
    }
    await admin.end();
  }
  console.log(
    `\n${COUNT} pushes, ${os.cpus().length} cores, load ${os.loadavg()[0]!.toFixed(1)} (${new Date().toISOString()})\n`,
  );
  console.log(
    '| setup | answered/s | processed/s | answer p99 ms | processed |\n| --- | ---: | ---: | ---: | --- |',
  );
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
}

await main();
