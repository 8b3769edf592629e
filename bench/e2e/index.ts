/**
 * End-to-end benchmark (issue 7): the README's card tutorial driven by signed pushes over
 * loopback, cloudfn against an unsandboxed reference (bench/reference/server.ts), in
 * alternating rounds. Run: `npm run bench:e2e` (a few minutes) or `-- --quick` (one short
 * round; BENCH_QUICK=1 does the same). Options: `--rounds N`, `--only id,id` (scenario ids,
 * `hostile` for the neighbour run), `--cpu-prof DIR` (V8 CPU profiles of every server
 * process), `--count N` (pushes per closed-loop run), `--no-write`, `--from FILE` (no run:
 * print and chart the figures of an earlier results file), `--baseline DIR` (an A/B of two
 * engines instead: cloudfn from the checkout DIR against this one, alternating, no reference;
 * DIR needs node_modules, e.g. a symlink to this one's), `--equal-durability` (issue 19: the
 * reference, the DIY stack of koa + co-wechat and cloudfn, each at `fsync` and at `process`
 * durability, on the closed-loop scenarios unless `--only` names others; `--columns a,b` runs
 * only these of its columns, e.g. `cloudfn-process` for a profile; equal-durability.ts; with
 * `--baseline DIR` it adds the column `baseline-process`, the engine of DIR at `process`
 * durability, run in the same rounds: a before/after of a change beside the reference),
 * `--database postgres` (issue 16: instead, the cluster comparison of cluster.ts — one engine
 * on SQLite against 1, 2 and 3 engines on one PostgreSQL — with its own options `--count`,
 * `--rounds`, `--concurrency`, `--baseline DIR`, `--no-write`).
 *
 * Prints one table per scenario (median figures of the rounds, both columns, their ratio)
 * and the targets; writes bench/results/<date>.json and, on a full run, docs/e2e-latest.svg
 * (with --equal-durability: bench/results/<date>-durability.json and docs/e2e-durability.svg).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from '../lib/tutorial.ts';
import { plan } from './scenarios.ts';
import { runScenario, type Measurement, type Scenario } from './run-scenario.ts';
import {
  checkTargets,
  figuresOf,
  formatTable,
  formatTargets,
  machine,
  type ScenarioReport,
} from './report.ts';
import { renderChart } from './chart.ts';
import {
  DURABILITY_SCENARIOS,
  durabilityColumns,
  checkDurabilityTargets,
  formatBaselineRatios,
  formatDurabilityTable,
} from './equal-durability.ts';
import { renderDurabilityChart } from './equal-durability-chart.ts';

// The cluster comparison parses its own options (a different run, not a column here).
if (process.argv.includes('--database')) {
  const database = process.argv[process.argv.indexOf('--database') + 1];
  if (database !== 'postgres')
    throw new Error(`--database ${database}: only "postgres" (the cluster comparison) is known`);
  await import('./cluster.ts');
  process.exit(0);
}

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    only: { type: 'string' },
    'cpu-prof': { type: 'string' },
    'no-write': { type: 'boolean', default: false },
    from: { type: 'string' },
    count: { type: 'string' },
    baseline: { type: 'string' },
    'equal-durability': { type: 'boolean', default: false },
    columns: { type: 'string' },
  },
});
const equalDurability = args['equal-durability'];

function writeChart(
  reports: ScenarioReport[],
  date: string,
  rounds: number,
  m: Record<string, unknown>,
  durability: boolean,
): void {
  const subtitle = `${date} · ${String(m.cpus)} × ${String(m.cpuModel)}, ${String(m.memoryGiB)} GiB, Node ${String(m.node)} · median of ${rounds} alternating rounds · loopback`;
  const file = durability ? 'docs/e2e-durability.svg' : 'docs/e2e-latest.svg';
  const svg = durability
    ? renderDurabilityChart(reports, subtitle)
    : renderChart(reports, subtitle);
  fs.writeFileSync(path.join(REPO_ROOT, file), svg);
  process.stdout.write(`wrote ${file}\n`);
}

if (args.from) {
  const saved = JSON.parse(fs.readFileSync(args.from, 'utf8')) as {
    date: string;
    machine: Record<string, unknown>;
    rounds: number;
    reports: ScenarioReport[];
    equalDurability?: boolean;
    measurements?: Measurement[];
  };
  const table = saved.equalDurability
    ? `${formatDurabilityTable(saved.reports, saved.measurements)}\n${formatTargets(checkDurabilityTargets(saved.reports))}`
    : `${formatTable(saved.reports)}\n${formatTargets(checkTargets(saved.reports))}`;
  process.stdout.write(`${table}\n`);
  writeChart(
    saved.reports,
    saved.date.slice(0, 10),
    saved.rounds,
    saved.machine,
    saved.equalDurability === true,
  );
  process.exit(0);
}

args.quick ||= process.env.BENCH_QUICK === '1';
const p = plan(args.quick, args.count ? Number(args.count) : undefined);
const baseline = args.baseline ? path.resolve(args.baseline) : undefined;
const rounds = args.rounds ? Number(args.rounds) : p.rounds;
const only = args.only?.split(',') ?? (equalDurability ? DURABILITY_SCENARIOS : undefined);
const wanted = (id: string) => !only || only.includes(id);
const cpuProfDir = args['cpu-prof'] ? path.resolve(args['cpu-prof']) : undefined;
if (cpuProfDir) fs.mkdirSync(cpuProfDir, { recursive: true });
const started = Date.now();
const measurements: Measurement[] = [];
const reports: ScenarioReport[] = [];

function progress(m: Measurement): void {
  const rows = m.processedAll ? '' : ' (not all processed)';
  const failed = Object.keys(m.failures).length
    ? ` failures ${JSON.stringify(m.failures)} (status: count; 0 = error or timeout)`
    : '';
  process.stderr.write(
    `  round ${m.round} ${m.variant.padEnd(16)} ack ${m.ackPerSec.toFixed(0).padStart(5)}/s  processed ${m.processedPerSec.toFixed(0).padStart(5)}/s${rows}  p50 ${m.latency.p50.toFixed(1)} ms  p99 ${m.latency.p99.toFixed(1)} ms  max ${m.latency.max.toFixed(1)} ms  cpu ${m.cpuMsPerPush.toFixed(2)} ms/push (main ${m.mainCpuMsPerPush.toFixed(2)})${failed}\n`,
  );
}

/** Runs the columns of one scenario in alternation, round after round. */
async function alternate(
  scenario: Scenario,
  columns: { name: string; run: (round: number) => Promise<Measurement> }[],
): Promise<void> {
  process.stderr.write(`${scenario.label}\n`);
  const runs = new Map<string, Measurement[]>(columns.map((c) => [c.name, []]));
  for (let round = 1; round <= rounds; round++) {
    for (const c of columns) {
      const m = await c.run(round);
      progress(m);
      measurements.push(m);
      runs.get(c.name)!.push(m);
    }
  }
  reports.push({
    id: scenario.id,
    label: scenario.label,
    rounds,
    columns: Object.fromEntries([...runs].map(([name, ms]) => [name, figuresOf(ms)])),
  });
}

const common = { drainSeconds: p.drainSeconds, ...(cpuProfDir ? { cpuProfDir } : {}) };
for (const scenario of p.scenarios.filter((s) => wanted(s.id))) {
  await alternate(
    scenario,
    equalDurability
      ? durabilityColumns(baseline)
          .filter((c) => !args.columns || args.columns.split(',').includes(c.name))
          .map((c) => ({
            name: c.name,
            run: (round: number) =>
              runScenario(scenario, c.kind, {
                ...common,
                round,
                variant: c.name,
                durability: c.durability,
                ...(c.root ? { root: c.root } : {}),
              }),
          }))
      : baseline
        ? [
            {
              name: 'baseline',
              run: (round: number) =>
                runScenario(scenario, 'cloudfn', {
                  ...common,
                  round,
                  variant: 'baseline',
                  root: baseline,
                }),
            },
            {
              name: 'cloudfn',
              run: (round: number) =>
                runScenario(scenario, 'cloudfn', { ...common, round, variant: 'cloudfn' }),
            },
          ]
        : (['reference', 'cloudfn'] as const).map((kind) => ({
            name: kind,
            run: (round: number) =>
              runScenario(scenario, kind, { ...common, round, variant: kind }),
          })),
  );
}
if (wanted('hostile') && !baseline && !equalDurability) {
  const { scenario, every, timeoutMs, drainSeconds } = p.hostile;
  const run = (round: number, hostile: boolean) =>
    runScenario(scenario, 'cloudfn', {
      ...common,
      drainSeconds,
      round,
      variant: hostile ? 'cloudfn+hostile' : 'cloudfn',
      ...(hostile ? { hostile: { every, timeoutMs } } : {}),
    });
  await alternate(scenario, [
    { name: 'cloudfn', run: (round) => run(round, false) },
    { name: 'cloudfn+hostile', run: (round) => run(round, true) },
  ]);
}

const targets = baseline
  ? []
  : equalDurability
    ? checkDurabilityTargets(reports)
    : checkTargets(reports);
const table = equalDurability
  ? `${formatDurabilityTable(reports, measurements)}${baseline ? formatBaselineRatios(reports, measurements) : ''}`
  : formatTable(reports);
process.stdout.write(`${table}\n${formatTargets(targets)}\n`);
const seconds = Math.round((Date.now() - started) / 1000);
process.stdout.write(`\n${measurements.length} runs in ${seconds} s\n`);

if (!args['no-write']) {
  const date = new Date().toISOString().slice(0, 10);
  const file = path.join(
    REPO_ROOT,
    'bench/results',
    `${date}${equalDurability ? '-durability' : ''}${args.quick ? '-quick' : ''}${baseline ? '-ab' : ''}.json`,
  );
  const hostile = { every: p.hostile.every, timeoutMs: p.hostile.timeoutMs };
  const json = {
    date: new Date().toISOString(),
    machine: machine(),
    quick: args.quick,
    equalDurability,
    rounds,
    seconds,
    hostile,
    targets,
    reports,
    measurements,
  };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(json, null, 1)}\n`);
  process.stdout.write(`wrote ${path.relative(REPO_ROOT, file)}\n`);
  if (equalDurability && !args.quick) writeChart(reports, date, rounds, machine(), true);
  else if (!args.quick && !only && !baseline) writeChart(reports, date, rounds, machine(), false);
}
