/**
 * The engine under test: `cloudfn serve` as a child process on loopback with a fresh temp
 * data dir, so the load generator never shares its event loop or CPU accounting.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ADMIN_TOKEN = 'bench-receiver-admin-token';

export interface EngineProcess {
  pid: number;
  host: string;
  port: number;
  dataDir: string;
  /** Calls the admin API; throws on a non-2xx answer. */
  api(method: string, route: string, body?: unknown): Promise<unknown>;
  stop(): Promise<void>;
}

export interface EngineProcessOptions {
  /** The checkout whose engine runs (an A/B's baseline); this one when absent. */
  root?: string;
  /** Added to the engine's environment (e.g. CLOUDFN_DURABILITY). */
  env?: Record<string, string>;
  /** Node flags before the script (e.g. `--cpu-prof`). */
  nodeArgs?: string[];
}

/** Starts `cloudfn serve --port 0` and resolves once it printed its URL. */
export async function startEngineProcess(
  options: EngineProcessOptions = {},
): Promise<EngineProcess> {
  const root = options.root ?? REPO_ROOT;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudfn-bench-receiver-'));
  const child = spawn(
    path.join(root, 'node_modules/.bin/node'),
    [
      '--no-node-snapshot',
      ...(options.nodeArgs ?? []),
      'bin/cloudfn.js',
      'serve',
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--data-dir',
      dataDir,
    ],
    // Info level: the URL comes on the "listening" line; accepted pushes log nothing.
    {
      cwd: root,
      env: {
        ...process.env,
        ...options.env,
        CLOUDFN_ADMIN_TOKEN: ADMIN_TOKEN,
        CLOUDFN_LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const listening = new Promise<URL>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the engine did not start in 30 s')), 30_000);
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      const match =
        /"url":"(http:\/\/[^"]+)"/.exec(line) ?? /listening on (http:\/\/\S+)/.exec(line);
      if (match) {
        clearTimeout(timer);
        resolve(new URL(match[1]!));
      }
    });
    void exited.then(() => reject(new Error('the engine exited before listening')));
  });
  const url = await listening.catch((err: unknown) => {
    child.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw err;
  });
  return {
    pid: child.pid!,
    host: url.hostname,
    port: Number(url.port),
    dataDir,
    async api(method, route, body) {
      const res = await fetch(`${url.origin}/api/v1${route}`, {
        method,
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      if (res.status >= 300) throw new Error(`${method} ${route}: ${res.status} ${text}`);
      return text ? (JSON.parse(text) as unknown) : undefined;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const kill = setTimeout(() => child.kill('SIGKILL'), 20_000);
        child.kill('SIGTERM');
        await exited;
        clearTimeout(kill);
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
