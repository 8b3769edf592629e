#!/usr/bin/env node
// The cloudfn CLI launcher. Plain JavaScript so that it can refuse an old Node clearly
// before any TypeScript (run natively by Node >= 24) is loaded.
import { spawn } from 'node:child_process';

const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  console.error(
    `cloudfn needs Node.js 24 or newer (this is ${process.version}). Run it through npm (npm start, npx cloudfn), which uses the Node 24 that npm ci installed.`,
  );
  process.exit(1);
}

// isolated-vm needs --no-node-snapshot (its README). `npm start` passes it; when `serve` is
// started any other way (npx cloudfn serve, a linked bin), run it again with the flag.
const args = process.argv.slice(2);
if (
  args.includes('serve') &&
  !process.execArgv.includes('--no-node-snapshot') &&
  !args.includes('--help') &&
  !args.includes('-h')
) {
  const child = spawn(
    process.execPath,
    ['--no-node-snapshot', ...process.execArgv, process.argv[1], ...args],
    { stdio: 'inherit' },
  );
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
  const { runCli } = await import('../engine/cli/main.ts');
  process.exitCode = await runCli(args);
}
