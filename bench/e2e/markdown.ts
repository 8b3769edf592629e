/**
 * Prints the figures of a results file as the Markdown tables of docs/performance.md
 * ("## End to end", or "At equal durability" for a --equal-durability run). Run: `npm exec -- node bench/e2e/markdown.ts bench/results/<date>.json`.
 */
import fs from 'node:fs';
import type { ScenarioReport, Target } from './report.ts';
import { formatDurabilityMarkdown } from './equal-durability.ts';
import type { Measurement } from './run-scenario.ts';

interface Results {
  date: string;
  machine: { cpus: number; cpuModel: string; memoryGiB: number; node: string };
  rounds: number;
  seconds: number;
  targets: Target[];
  reports: ScenarioReport[];
  equalDurability?: boolean;
  measurements?: Measurement[];
}

const n = (v: number, d = 0) =>
  Number.isFinite(v)
    ? v.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d })
    : '—';
const x = (v: number) => (Number.isFinite(v) ? `${v.toFixed(2)}×` : '—');

/** One row per scenario: throughput and latency, reference | cloudfn | ratio. */
export function formatMarkdown(results: Results): string {
  const lines = [
    '| scenario | acknowledged/s ref · cloudfn (ratio) | processed/s ref · cloudfn (ratio) | answer p50 ms ref · cloudfn | answer p99 ms ref · cloudfn (ratio) | answer max ms ref · cloudfn | CPU ms/push ref · cloudfn (main) | peak RSS MiB ref · cloudfn |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of results.reports) {
    const [a, b] = Object.keys(r.columns) as [string, string];
    const A = r.columns[a]!;
    const B = r.columns[b]!;
    const flag =
      (B.incomplete ? ` ⚠ ${B.incomplete}/${r.rounds} rounds not fully processed` : '') +
      (B.failed ? ` ⚠ ${B.failed} failed answers` : '');
    lines.push(
      `| ${r.label}${a === 'reference' ? '' : ` (${a} · ${b})`}${flag} | ${n(A.ackPerSec)} · ${n(B.ackPerSec)} (${x(B.ackPerSec / A.ackPerSec)}) | ${n(A.processedPerSec)} · ${n(B.processedPerSec)} (${x(B.processedPerSec / A.processedPerSec)}) | ${n(A.p50, 1)} · ${n(B.p50, 1)} | ${n(A.p99, 1)} · ${n(B.p99, 1)} (${x(B.p99 / A.p99)}) | ${n(A.max)} · ${n(B.max)} | ${n(A.cpuMsPerPush, 2)} · ${n(B.cpuMsPerPush, 2)} (${n(B.mainCpuMsPerPush, 2)}) | ${n(A.peakRssMb)} · ${n(B.peakRssMb)} |`,
    );
  }
  lines.push('', '| target (issue 7) | measured | limit | |', '| --- | --- | --- | --- |');
  for (const t of results.targets)
    lines.push(`| ${t.name} | ${x(t.value)} | ${t.limit} | ${t.met ? 'met' : '**missed**'} |`);
  return lines.join('\n');
}

if (import.meta.main) {
  const file = process.argv[2];
  if (!file) throw new Error('usage: node bench/e2e/markdown.ts bench/results/<date>.json');
  const results = JSON.parse(fs.readFileSync(file, 'utf8')) as Results;
  const text = results.equalDurability
    ? formatDurabilityMarkdown(results.reports, results.targets, results.measurements)
    : formatMarkdown(results);
  process.stdout.write(`${text}\n`);
}
