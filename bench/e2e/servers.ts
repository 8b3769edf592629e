/**
 * The servers under test, each a child process on loopback with a fresh temp data dir: the
 * real engine (`bin/cloudfn.js serve`, set up through its admin API exactly as the README
 * tutorial does), the reference (bench/reference/server.ts) and the DIY stack
 * (bench/reference/co-wechat-server.ts), each at a durability. Rows are counted by reading
 * the SQLite file read-only, so counting puts no load on the server.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import Database from 'better-sqlite3';
import {
  FUNCTION_FILE,
  PLAIN_ACCOUNT,
  REPO_ROOT,
  SAFE_ACCOUNT,
  TABLE_FIELDS,
  TABLE_NAME,
  tutorialTrigger,
} from '../lib/tutorial.ts';
import type { Target } from '../lib/http-load.ts';

export type ServerKind = 'reference' | 'cloudfn' | 'diy';

/**
 * When a push is answered: `fsync` once it is on disk (cloudfn's default; the others at
 * synchronous=FULL), `process` once committed to the log (cloudfn's CLOUDFN_DURABILITY=process;
 * the others at synchronous=NORMAL).
 */
export type BenchDurability = 'fsync' | 'process';

/**
 * How much of a push's path the engine runs (`npm run bench:stages`): `receive` (accounts,
 * no trigger: each push checked, stored and answered, nothing to run), `run` (the tutorial's
 * trigger and a function that logs a line and returns: the queue, the sandbox, the job and
 * trigger log rows, but no table write) or `tutorial` (the whole card tutorial, the default).
 */
export type Stage = 'receive' | 'run' | 'tutorial';

/** The function of the `run` stage: the tutorial's shape and log line, without its row. */
const RUN_STAGE_FUNCTION = `exports.main = function (event, callback) {
  console.log('card', event.data.UserCardCode);
  callback(null, { code: event.data.UserCardCode });
};`;

/** What a push done at each stage leaves behind in engine.db, counted as the bench waits. */
const STAGE_DONE_SQL: Record<Exclude<Stage, 'tutorial'>, string> = {
  // Stored and dispatched (with no firings, at its accept).
  receive: 'SELECT count(*) AS n FROM inbox WHERE dispatched = 1',
  // Its run's job row, written within 100 ms of the run's end (write-behind).
  run: "SELECT count(*) AS n FROM jobs WHERE status = 'fulfilled'",
};

export interface RunningServer {
  kind: ServerKind;
  pid: number;
  target: Target;
  /** Its start-up line (the reference and the DIY server name their synchronous setting). */
  banner: string;
  /** The body it answers an accepted push with ('' for co-wechat's "no reply"). */
  answer: string;
  /** Pushes done now: rows in the tutorial's table (for a `stage`, what it leaves in engine.db). */
  rowCount(): number;
  stop(): Promise<void>;
}

export interface ServerOptions {
  /** Also deploy a function that busy-loops until its deadline, fired by every `hostileEvery`-th push. */
  hostile?: { every: number; timeoutMs: number };
  /** Write a V8 CPU profile of the server process (and its children) into this dir. */
  cpuProfDir?: string;
  /** cloudfn only: run the engine of another checkout (an A/B against a baseline). */
  root?: string;
  /** Default `fsync`. */
  durability?: BenchDurability;
  /** cloudfn only: how much of the path a push takes; default the whole tutorial. */
  stage?: Stage;
}

const NODE = path.join(REPO_ROOT, 'node_modules/.bin/node');
const ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef';

/** Starts a server of this kind, ready to take pushes (set up, not yet warmed). */
export async function startServer(
  kind: ServerKind,
  options: ServerOptions = {},
): Promise<RunningServer> {
  const stage = options.stage ?? 'tutorial';
  if (kind !== 'cloudfn' && stage !== 'tutorial')
    throw new Error(`stage ${stage}: only cloudfn runs part of the path`);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `cloudfn-bench-${kind}-`));
  const profArgs = options.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`] : [];
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: '' };
  const durability = options.durability ?? 'fsync';
  let args: string[];
  let dbFile: string;
  if (kind === 'cloudfn') {
    args = ['--no-node-snapshot', ...profArgs, 'bin/cloudfn.js', 'serve'];
    Object.assign(env, {
      PORT: '0',
      HOST: '127.0.0.1',
      CLOUDFN_DATA_DIR: dataDir,
      CLOUDFN_ADMIN_TOKEN: ADMIN_TOKEN,
      // An older checkout (--baseline) ignores it: its only mode is fsync.
      CLOUDFN_DURABILITY: durability,
    });
    dbFile = path.join(dataDir, stage === 'tutorial' ? 'tables.db' : 'engine.db');
  } else {
    const entry = kind === 'diy' ? 'co-wechat-server.ts' : 'server.ts';
    args = [...profArgs, `bench/reference/${entry}`];
    Object.assign(env, {
      PORT: '0',
      DATA_DIR: dataDir,
      REFERENCE_ACCOUNTS: JSON.stringify([SAFE_ACCOUNT, PLAIN_ACCOUNT]),
      REFERENCE_SYNCHRONOUS: durability === 'fsync' ? 'full' : 'normal',
    });
    dbFile = path.join(dataDir, 'reference.db');
  }
  const cwd = kind === 'cloudfn' && options.root ? options.root : REPO_ROOT;
  const child = spawn(NODE, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const { port, banner } = await listeningPort(child, kind);
  const target: Target = { host: '127.0.0.1', port };
  const base = `http://127.0.0.1:${port}`;
  await waitHealthy(base);
  if (kind === 'cloudfn') await setUpTutorial(base, options);

  let db: Database.Database | undefined;
  const doneSql =
    stage === 'tutorial' ? `SELECT count(*) AS n FROM "t_${TABLE_NAME}"` : STAGE_DONE_SQL[stage];
  return {
    kind,
    pid: child.pid!,
    target,
    banner,
    answer: kind === 'diy' ? '' : 'success',
    rowCount() {
      db ??= new Database(dbFile, { readonly: true, fileMustExist: true });
      return (db.prepare(doneSql).get() as { n: number }).n;
    },
    async stop() {
      db?.close();
      await stopChild(child);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Reads the port from the server's start-up line (PORT=0 lets the OS pick a free one). */
function listeningPort(
  child: ChildProcess,
  kind: ServerKind,
): Promise<{ port: number; banner: string }> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(
      () => reject(new Error(`${kind} did not start in 30 s:\n${out}\n${err}`)),
      30_000,
    );
    child.stderr!.on('data', (chunk: Buffer) => {
      err = (err + chunk.toString()).slice(-4000);
    });
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on http:\/\/127\.0\.0\.1:(\d+).*/.exec(out);
      if (match) {
        clearTimeout(timer);
        out = '';
        resolve({ port: Number(match[1]), banner: match[0] });
      }
      if (out.length > 100_000) out = out.slice(-10_000);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${kind} exited with ${code} before listening:\n${out}\n${err}`));
    });
  });
}

async function waitHealthy(base: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${base}/healthz`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${base}/healthz never answered 200`);
}

async function api(base: string, method: string, route: string, body: unknown): Promise<unknown> {
  const res = await fetch(`${base}/api/v1${route}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${route}: ${res.status} ${text}`);
  return JSON.parse(text) as unknown;
}

/** The README tutorial's steps 1–4, for the safe and the plaintext account. */
async function setUpTutorial(base: string, options: ServerOptions): Promise<void> {
  for (const a of [SAFE_ACCOUNT, PLAIN_ACCOUNT]) {
    await api(base, 'PUT', `/wechat/accounts/${a.appId}`, {
      token: a.token,
      ...(a.encodingAESKey ? { encodingAESKey: a.encodingAESKey } : {}),
    });
  }
  await api(base, 'POST', '/tables', { name: TABLE_NAME, fields: TABLE_FIELDS });
  const stage = options.stage ?? 'tutorial';
  await api(base, 'PUT', '/functions/user_consume_card', {
    code: stage === 'run' ? RUN_STAGE_FUNCTION : fs.readFileSync(FUNCTION_FILE, 'utf8'),
  });
  if (stage !== 'receive')
    for (const a of [SAFE_ACCOUNT, PLAIN_ACCOUNT])
      await api(base, 'POST', '/triggers', tutorialTrigger(a.appId));
  if (options.hostile) {
    // Never returns: it runs until the sandbox stops it at its deadline, on every call.
    await api(base, 'PUT', '/functions/hostile', {
      code: 'exports.main = async function () { for (;;) {} };',
      timeoutMs: options.hostile.timeoutMs,
    });
    // Card codes are consecutive numbers: a regex on the last digits picks every n-th push.
    const digits = String(options.hostile.every - 1).length;
    const ending = options.hostile.every === 1 ? '' : '0'.repeat(digits);
    if (options.hostile.every !== 1 && options.hostile.every !== 10 ** digits)
      throw new Error('hostile.every must be 1 or a power of ten');
    for (const a of [SAFE_ACCOUNT, PLAIN_ACCOUNT]) {
      await api(base, 'POST', '/triggers', {
        name: `hostile_${a.appId}`,
        type: 'wechat_message',
        condition: {
          appId: a.appId,
          match: 'all',
          rules: [{ field: 'UserCardCode', op: 'regex', value: `${ending}$` }],
        },
        actions: [{ type: 'function', function: 'hostile' }],
        retry: { attempts: 1, backoff: '1s' },
      });
    }
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
