import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { repoRoot } from '../../../helpers/fixtures.ts';

export const CHILD_ADMIN_TOKEN = 'child-admin-token';

export interface ChildEngine {
  url: string;
  child: ChildProcess;
  /** Every stdout line the engine printed (pino JSON). */
  lines: string[];
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Calls the admin API; parses JSON answers. */
  api(method: string, route: string, body?: unknown): Promise<{ status: number; body: any }>;
}

/**
 * Runs `cloudfn serve --port 0` as a real child process (the pinned Node 24) on `dataDir`
 * and resolves with its URL, read from the "listening" log line.
 */
export async function spawnEngine(dataDir: string): Promise<ChildEngine> {
  const child = spawn(
    path.join(repoRoot, 'node_modules/.bin/node'),
    [
      '--no-node-snapshot',
      path.join(repoRoot, 'bin/cloudfn.js'),
      'serve',
      '--port',
      '0',
      '--data-dir',
      dataDir,
    ],
    {
      cwd: repoRoot,
      env: { ...process.env, CLOUDFN_ADMIN_TOKEN: CHILD_ADMIN_TOKEN, CLOUDFN_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const lines: string[] = [];
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the engine did not start in 20 s:\n${lines.join('\n')}\n${stderr}`)),
      20_000,
    );
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(line);
      try {
        const parsed = JSON.parse(line) as { url?: string };
        if (parsed.url) {
          clearTimeout(timer);
          resolve(parsed.url);
        }
      } catch {
        // Not a log line (e.g. a banner): kept in `lines` only.
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(
        new Error(
          `the engine exited (${code ?? signal}) before listening:\n${lines.join('\n')}\n${stderr}`,
        ),
      );
    });
  });
  return {
    url,
    child,
    lines,
    exited,
    async api(method, route, body) {
      const response = await fetch(`${url}/api/v1${route}`, {
        method,
        headers: {
          authorization: `Bearer ${CHILD_ADMIN_TOKEN}`,
          'content-type': 'application/json',
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    },
  };
}
