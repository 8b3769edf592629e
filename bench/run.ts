/**
 * `npm run bench`: runs every bench/<name>/index.ts in turn, each in its own process (so one
 * bench's heap and JIT state do not colour the next). `npm run bench -- --quick` sets
 * BENCH_QUICK=1 for them (benches take their own arguments, so none are passed through).
 * Exits non-zero if any bench failed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const benches = fs
  .readdirSync(here, { withFileTypes: true })
  .filter((d) => d.isDirectory() && fs.existsSync(path.join(here, d.name, 'index.ts')))
  .map((d) => d.name)
  .sort();
let failed = 0;
for (const name of benches) {
  process.stdout.write(`\n=== bench/${name} ===\n`);
  const env = process.argv.includes('--quick') ? { ...process.env, BENCH_QUICK: '1' } : process.env;
  const run = spawnSync(
    process.execPath,
    ['--no-node-snapshot', path.join(here, name, 'index.ts')],
    { stdio: 'inherit', env },
  );
  if (run.status !== 0) {
    failed++;
    process.stdout.write(`bench/${name} failed (${run.status ?? run.signal})\n`);
  }
}
process.exitCode = failed ? 1 : 0;
