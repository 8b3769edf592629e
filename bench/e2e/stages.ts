/**
 * Where cloudfn's CPU per push goes, stage by stage (issue 19): the closed loop of the bench
 * at equal durability, at `process` durability, with the engine running more of a push's path
 * in each column — `receive` (checked, stored, answered; no trigger), `run` (the tutorial's
 * trigger and a function that logs a line and returns: queue, sandbox, job and trigger log
 * rows) and `tutorial` (the function saves its row: the whole card tutorial) — beside the
 * plain handler at synchronous=NORMAL, all four in every round. What a stage adds is the
 * difference to the stage before it, per round, then the median.
 *
 * Run: `npm run bench:stages [-- --rounds 3] [--count 8000] [--only plain-max,safe-max]
 * [--columns cloudfn-run,…] [--cpu-prof DIR] [--no-write]`; writes
 * bench/results/<date>-stages.json. `--columns` runs only these columns (the "added" column
 * then compares with the column above it in the run); `--cpu-prof DIR` writes V8 profiles of
 * the servers and of cloudfn's executor (as bench:e2e does).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { median } from '../lib/latency.ts';
import { REPO_ROOT } from '../lib/tutorial.ts';
import { machine } from './report.ts';
import { runScenario, type Measurement } from './run-scenario.ts';
import { plan } from './scenarios.ts';
import type { ServerKind, Stage } from './servers.ts';

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    count: { type: 'string', default: '8000' },
    only: { type: 'string', default: 'plain-max,safe-max' },
    'no-write': { type: 'boolean', default: false },
    columns: { type: 'string' },
    'cpu-prof': { type: 'string' },
  },
});

interface StageColumn {
  name: string;
  kind: ServerKind;
  stage?: Stage;
}

/** In the order of a round; each stage's increment is taken against the column before it. */
const ALL_COLUMNS: StageColumn[] = [
  { name: 'reference-normal', kind: 'reference' },
  { name: 'cloudfn-receive', kind: 'cloudfn', stage: 'receive' },
  { name: 'cloudfn-run', kind: 'cloudfn', stage: 'run' },
  { name: 'cloudfn-tutorial', kind: 'cloudfn', stage: 'tutorial' },
];

const COLUMNS = ALL_COLUMNS.filter(
  (c) => !args.columns || args.columns.split(',').includes(c.name),
);
if (COLUMNS.length === 0)
  throw new Error(
    `--columns ${args.columns}: none of ${ALL_COLUMNS.map((c) => c.name).join(', ')}`,
  );
const cpuProfDir = args['cpu-prof'] ? path.resolve(args['cpu-prof']) : undefined;
if (cpuProfDir) fs.mkdirSync(cpuProfDir, { recursive: true });
const rounds = Number(args.rounds);
const count = Number(args.count);
if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds takes a whole number ≥ 1');
if (!Number.isInteger(count) || count < 100) throw new Error('--count takes a whole number ≥ 100');
const p = plan(false, count);
const wanted = args.only.split(',');
const scenarios = p.scenarios.filter((s) => wanted.includes(s.id));
if (scenarios.length === 0)
  throw new Error(`--only ${args.only}: none of ${p.scenarios.map((s) => s.id).join(', ')}`);

/** The column the ratios are taken against, when it runs. */
const refIndex = COLUMNS.findIndex((c) => c.kind === 'reference');
const started = Date.now();
const measurements: Measurement[] = [];
const summaries: Record<string, unknown>[] = [];

const fixed = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : '—');

for (const scenario of scenarios) {
  process.stderr.write(`${scenario.label}, process durability\n`);
  const byRound: Measurement[][] = [];
  for (let round = 1; round <= rounds; round++) {
    const row: Measurement[] = [];
    for (const c of COLUMNS) {
      const m = await runScenario(scenario, c.kind, {
        round,
        variant: c.name,
        drainSeconds: p.drainSeconds,
        durability: 'process',
        ...(c.stage ? { stage: c.stage } : {}),
        ...(cpuProfDir ? { cpuProfDir } : {}),
      });
      process.stderr.write(
        `  round ${round} ${c.name.padEnd(17)} processed ${m.processedPerSec.toFixed(0).padStart(5)}/s${m.processedAll ? '' : ' (not all)'}  cpu ${m.cpuMsPerPush.toFixed(3)} ms/push (main ${m.mainCpuMsPerPush.toFixed(3)})  settled ${m.settle ? `${m.settle.waitedMs.toFixed(0)} ms, ${m.settle.cpuMs.toFixed(0)} ms CPU` : '—'}${m.ok === m.sent ? '' : `  failed ${m.sent - m.ok}`}\n`,
      );
      row.push(m);
      measurements.push(m);
    }
    byRound.push(row);
  }
  const lines: string[] = [
    `${scenario.label}, process durability — median of ${rounds} round(s); CPU ms per processed push`,
    `  ${'column'.padEnd(17)} ${'tree'.padStart(6)} ${'main'.padStart(6)} ${'others'.padStart(6)} ${'processed/s'.padStart(11)} ${'tree/ref'.padStart(8)} ${'added'.padStart(6)} ${'main added'.padStart(10)}`,
  ];
  const columns: Record<string, unknown> = {};
  COLUMNS.forEach((c, i) => {
    const of = (f: (m: Measurement) => number) => median(byRound.map((r) => f(r[i]!)));
    const tree = of((m) => m.cpuMsPerPush);
    const main = of((m) => m.mainCpuMsPerPush);
    const others = of((m) => m.cpuMsPerPush - m.mainCpuMsPerPush);
    const processed = of((m) => m.processedPerSec);
    const toRef =
      refIndex < 0
        ? Number.NaN
        : of((m) => m.cpuMsPerPush / byRound[m.round - 1]![refIndex]!.cpuMsPerPush);
    // What this stage adds to the one before it (the reference and the first stage have none).
    const hasBefore = i > 0 && COLUMNS[i - 1]!.kind === 'cloudfn';
    const added = hasBefore
      ? of((m) => m.cpuMsPerPush - byRound[m.round - 1]![i - 1]!.cpuMsPerPush)
      : Number.NaN;
    const mainAdded = hasBefore
      ? of((m) => m.mainCpuMsPerPush - byRound[m.round - 1]![i - 1]!.mainCpuMsPerPush)
      : Number.NaN;
    columns[c.name] = { tree, main, others, processed, toRef, added, mainAdded };
    lines.push(
      `  ${c.name.padEnd(17)} ${fixed(tree, 3).padStart(6)} ${fixed(main, 3).padStart(6)} ${fixed(others, 3).padStart(6)} ${fixed(processed, 0).padStart(11)} ${`${fixed(toRef)}×`.padStart(8)} ${fixed(added, 3).padStart(6)} ${fixed(mainAdded, 3).padStart(10)}`,
    );
  });
  lines.push(
    '  (tree: the server and its children; others: the executors; tree/ref: per-round ratio to',
    '   the reference, median; added: this column minus the one above it, per round, median)',
  );
  process.stdout.write(`${lines.join('\n')}\n\n`);
  summaries.push({ scenario: scenario.id, label: scenario.label, columns });
}

const seconds = Math.round((Date.now() - started) / 1000);
process.stdout.write(`${measurements.length} runs in ${seconds} s\n`);
if (!args['no-write']) {
  const date = new Date().toISOString().slice(0, 10);
  const file = path.join(REPO_ROOT, 'bench/results', `${date}-stages.json`);
  const json = {
    date: new Date().toISOString(),
    machine: machine(),
    rounds,
    count,
    seconds,
    summaries,
    measurements,
  };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(json, null, 1)}\n`);
  process.stdout.write(`wrote ${path.relative(REPO_ROOT, file)}\n`);
}
