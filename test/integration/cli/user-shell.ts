import { spawn } from 'node:child_process';
import path from 'node:path';
import { cliEnv } from './run-cli.ts';

/**
 * PATH as in a user's shell: without the node_modules/.bin folders npm and vitest put first,
 * so `node` is the machine's own (possibly older than 24) and `npx cloudfn` resolves as a
 * user's would.
 */
export const USER_PATH = (process.env.PATH ?? '')
  .split(path.delimiter)
  .filter((dir) => !dir.includes(`node_modules${path.sep}.bin`))
  .join(path.delimiter);

/** A user's environment: their PATH, no cloudfn settings, no colour, npm offline. */
export function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  // The npm cache holds every package the tests install: nothing may reach the registry.
  return cliEnv({
    PATH: USER_PATH,
    npm_config_offline: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    ...extra,
  });
}

export interface ShellRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a bash script in `cwd` as the user would, collecting its output. */
export function runShell(
  script: string,
  cwd: string,
  env: NodeJS.ProcessEnv = userEnv(),
): Promise<ShellRun> {
  return runProcess('bash', ['-c', script], cwd, env);
}

/** Runs `command` in `cwd` with exactly `env`, collecting its output and exit code. */
export function runProcess(
  command: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<ShellRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
