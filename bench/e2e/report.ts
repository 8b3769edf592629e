/**
 * Turns the rounds' measurements into the report: per scenario and server the median of
 * each figure over the rounds, the ratios cloudfn / reference, the targets of issue 7, a
 * printed table, and the JSON written to bench/results/.
 */
import os from 'node:os';
import { median } from '../lib/latency.ts';
import type { Measurement } from './run-scenario.ts';

export interface Figures {
  ackPerSec: number;
  processedPerSec: number;
  p50: number;
  p99: number;
  max: number;
  cpuMsPerPush: number;
  mainCpuMsPerPush: number;
  cpuPercent: number;
  peakRssMb: number;
  /** Rounds whose rows were not all written by the drain deadline. */
  incomplete: number;
  /** Failed answers summed over the rounds. */
  failed: number;
  /** The latency quantile curve of the round with the median p99 (for the chart). */
  curve: number[];
}

export interface ScenarioReport {
  id: string;
  label: string;
  rounds: number;
  /** Keyed by column: "reference", "cloudfn", or for the hostile run "cloudfn" and "cloudfn+hostile". */
  columns: Record<string, Figures>;
}

export interface Target {
  name: string;
  value: number;
  limit: string;
  met: boolean;
}

const FIGURES: {
  key: keyof Omit<Figures, 'curve' | 'incomplete' | 'failed'>;
  label: string;
  digits: number;
  higherIsBetter: boolean;
}[] = [
  { key: 'ackPerSec', label: 'acknowledged pushes/s', digits: 0, higherIsBetter: true },
  { key: 'processedPerSec', label: 'processed pushes/s', digits: 0, higherIsBetter: true },
  { key: 'p50', label: 'answer p50 ms', digits: 1, higherIsBetter: false },
  { key: 'p99', label: 'answer p99 ms', digits: 1, higherIsBetter: false },
  { key: 'max', label: 'answer max ms', digits: 1, higherIsBetter: false },
  { key: 'cpuMsPerPush', label: 'CPU ms per push', digits: 2, higherIsBetter: false },
  { key: 'mainCpuMsPerPush', label: '  of which main process', digits: 2, higherIsBetter: false },
  { key: 'cpuPercent', label: 'CPU % of a core', digits: 0, higherIsBetter: false },
  { key: 'peakRssMb', label: 'peak RSS MiB', digits: 0, higherIsBetter: false },
];

/** Median figures over the rounds of one column. */
export function figuresOf(runs: Measurement[]): Figures {
  const m = (f: (r: Measurement) => number) => median(runs.map(f));
  const p99 = m((r) => r.latency.p99);
  const byP99 = [...runs].sort(
    (a, b) => Math.abs(a.latency.p99 - p99) - Math.abs(b.latency.p99 - p99),
  );
  return {
    ackPerSec: m((r) => r.ackPerSec),
    processedPerSec: m((r) => r.processedPerSec),
    p50: m((r) => r.latency.p50),
    p99,
    max: m((r) => r.latency.max),
    cpuMsPerPush: m((r) => r.cpuMsPerPush),
    mainCpuMsPerPush: m((r) => r.mainCpuMsPerPush),
    cpuPercent: m((r) => r.cpuPercent),
    peakRssMb: m((r) => r.peakRssMb),
    incomplete: runs.filter((r) => !r.processedAll).length,
    failed: runs.reduce((n, r) => n + (r.sent - r.ok), 0),
    curve: byP99[0]?.curve ?? [],
  };
}

const fmt = (v: number, digits: number) => (Number.isFinite(v) ? v.toFixed(digits) : '—');

/** The printed table: one block per scenario, the two columns and their ratio. */
export function formatTable(reports: ScenarioReport[]): string {
  const lines: string[] = [];
  for (const r of reports) {
    const [a, b] = Object.keys(r.columns) as [string, string];
    const A = r.columns[a]!;
    const B = r.columns[b]!;
    lines.push('', `${r.label} — median of ${r.rounds} round(s)`);
    lines.push(`  ${'figure'.padEnd(24)}${a.padStart(16)}${b.padStart(18)}${'ratio'.padStart(9)}`);
    for (const f of FIGURES) {
      const ratio = B[f.key] / A[f.key];
      lines.push(
        `  ${f.label.padEnd(24)}${fmt(A[f.key], f.digits).padStart(16)}${fmt(B[f.key], f.digits).padStart(18)}${(fmt(ratio, 2) + '×').padStart(9)}`,
      );
    }
    const notes = [a, b]
      .flatMap((c) => {
        const x = r.columns[c]!;
        return [
          x.incomplete ? `${c}: ${x.incomplete} round(s) not fully processed by the deadline` : '',
          x.failed ? `${c}: ${x.failed} push(es) not answered 200` : '',
        ];
      })
      .filter(Boolean);
    for (const n of notes) lines.push(`  ! ${n}`);
  }
  return lines.join('\n');
}

const ratio = (
  r: ScenarioReport | undefined,
  key: keyof Figures,
  a = 'reference',
  b = 'cloudfn',
): number => (r ? (r.columns[b]![key] as number) / (r.columns[a]![key] as number) : Number.NaN);

/** Issue 7's targets, each checked on the figures of this run. */
export function checkTargets(reports: ScenarioReport[]): Target[] {
  const by = (id: string) => reports.find((r) => r.id === id);
  const targets: Target[] = [];
  for (const mode of ['plain', 'safe']) {
    const max = by(`${mode}-max`);
    const at1000 = by(`${mode}-1000`);
    const add = (name: string, value: number, limit: string, met: (v: number) => boolean) => {
      if (Number.isFinite(value)) targets.push({ name, value, limit, met: met(value) });
    };
    add(
      `${mode}: acknowledged pushes/s at max`,
      ratio(max, 'ackPerSec'),
      '≥ 1.0×',
      (v) => v >= 1.0,
    );
    add(
      `${mode}: processed pushes/s at max`,
      ratio(max, 'processedPerSec'),
      '≥ 0.9×',
      (v) => v >= 0.9,
    );
    add(`${mode}: answer p99 at max`, ratio(max, 'p99'), '≤ 1.5×', (v) => v <= 1.5);
    add(`${mode}: answer p99 at 1000/s`, ratio(at1000, 'p99'), '≤ 1.5×', (v) => v <= 1.5);
  }
  const hostile = reports.find((r) => r.columns['cloudfn+hostile']);
  if (hostile) {
    const v = ratio(hostile, 'p99', 'cloudfn', 'cloudfn+hostile');
    targets.push({
      name: 'hostile neighbour: tutorial answer p99',
      value: v,
      limit: '≤ 1.5×',
      met: v <= 1.5,
    });
  }
  return targets;
}

export function formatTargets(targets: Target[]): string {
  return [
    '',
    'Targets (cloudfn / reference, same run):',
    ...targets.map(
      (t) =>
        `  ${t.met ? 'met   ' : 'MISSED'} ${t.name.padEnd(50)} ${t.value.toFixed(2)}× (${t.limit})`,
    ),
  ].join('\n');
}

/** The machine the figures came from. */
export function machine(): Record<string, unknown> {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  };
}
