/**
 * `cloudfn serve` as a real process (the pinned Node 24, `bin/cloudfn.js`), configured only
 * through the environment and flags it is given: no admin token unless the test sets one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { repoRoot } from './fixtures.ts';

export interface ServeProcess {
  url: string;
  child: ChildProcess;
  /** Every stdout line so far (pino JSON lines and the printed admin token). */
  lines: string[];
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Calls the admin API with `token`; parses JSON answers. */
  api(
    token: string,
    method: string,
    route: string,
    body?: unknown,
  ): Promise<{ status: number; body: any }>;
}

/** Environment of the child: ours without any cloudfn setting, plus `env`. */
function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env))
    if (!key.startsWith('CLOUDFN_') && key !== 'PORT' && key !== 'HOST') base[key] = value;
  return { ...base, CLOUDFN_LOG_LEVEL: 'info', ...env };
}

/** Starts `cloudfn serve …args` in `cwd`; resolves once it logged its URL. */
export async function startServe(options: {
  cwd: string;
  env?: Record<string, string>;
  args?: string[];
}): Promise<ServeProcess> {
  const child = spawn(
    path.join(repoRoot, 'node_modules/.bin/node'),
    ['--no-node-snapshot', path.join(repoRoot, 'bin/cloudfn.js'), 'serve', ...(options.args ?? [])],
    { cwd: options.cwd, env: childEnv(options.env ?? {}), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const lines: string[] = [];
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the engine did not start in 30 s:\n${lines.join('\n')}\n${stderr}`)),
      30_000,
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
        // Not a log line (the printed admin token, blank lines): kept in `lines`.
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`the engine exited (${code ?? signal}) before listening:\n${stderr}`));
    });
  });
  return {
    url,
    child,
    lines,
    stderr: () => stderr,
    exited,
    async api(token, method, route, body) {
      const response = await fetch(`${url}/api/v1${route}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    },
  };
}

/** Stops a child still running (SIGKILL), for clean-up after a failed test. */
export async function killServe(serve: ServeProcess | undefined): Promise<void> {
  if (serve === undefined || serve.child.exitCode !== null || serve.child.signalCode !== null)
    return;
  serve.child.kill('SIGKILL');
  await serve.exited;
}
