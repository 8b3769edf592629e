import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from '../../helpers/fixtures.ts';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The real CLI: the pinned Node 24 running bin/cloudfn.js, as `npx cloudfn` does. */
export const CLI = [
  path.join(repoRoot, 'node_modules/.bin/node'),
  '--no-node-snapshot',
  path.join(repoRoot, 'bin/cloudfn.js'),
] as const;

/** The environment of a CLI run: this process's, minus any cloudfn settings, no colour. */
export function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  for (const key of Object.keys(env))
    if (key.startsWith('CLOUDFN_') || key === 'FORCE_COLOR') delete env[key];
  return { ...env, ...extra };
}

/** Starts `cloudfn <args>` as a child process. */
export function spawnCli(
  args: string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): ChildProcess {
  const [node, ...flags] = CLI;
  return spawn(node, [...flags, ...args], {
    cwd: options.cwd ?? repoRoot,
    env: cliEnv(options.env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** Runs `cloudfn <args>` to completion and collects its exit code and output. */
export function runCli(
  args: string[],
  options: { env?: Record<string, string>; cwd?: string; input?: string } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawnCli(args, options);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin!.end(options.input ?? '');
  });
}
