/**
 * The bench at equal durability (issue 19): three stacks doing the card tutorial — the
 * reference (the engine's protocol code, a plain handler), the DIY stack (koa + co-wechat
 * 2.4.0, a plain handler) and cloudfn — each at the two durabilities, paired by what a
 * push answered `success` survives: `fsync` (a power loss: cloudfn's default, the others at
 * synchronous=FULL) and `process` (a crash of the process: CLOUDFN_DURABILITY=process, the
 * others at synchronous=NORMAL). Ratios are cloudfn (or DIY) over the reference of its pair.
 */
import { median } from '../lib/latency.ts';
import type { Figures, ScenarioReport, Target } from './report.ts';
import type { Measurement } from './run-scenario.ts';
import type { BenchDurability, ServerKind } from './servers.ts';

export interface DurabilityColumn {
  name: string;
  kind: ServerKind;
  durability: BenchDurability;
  /** cloudfn of another checkout (`--baseline DIR`). */
  root?: string;
}

/** In the order of a round: each pair's reference first. */
export const DURABILITY_COLUMNS: DurabilityColumn[] = [
  { name: 'reference-fsync', kind: 'reference', durability: 'fsync' },
  { name: 'diy-fsync', kind: 'diy', durability: 'fsync' },
  { name: 'cloudfn-fsync', kind: 'cloudfn', durability: 'fsync' },
  { name: 'reference-normal', kind: 'reference', durability: 'process' },
  { name: 'diy-normal', kind: 'diy', durability: 'process' },
  { name: 'cloudfn-process', kind: 'cloudfn', durability: 'process' },
];

/** The columns of a run; with a baseline checkout, its engine at `process` durability last. */
export function durabilityColumns(baseline: string | undefined): DurabilityColumn[] {
  return baseline === undefined
    ? DURABILITY_COLUMNS
    : [
        ...DURABILITY_COLUMNS,
        { name: 'baseline-process', kind: 'cloudfn', durability: 'process', root: baseline },
      ];
}

/** The scenarios of the targets (the closed-loop maximum), run unless `--only` says others. */
export const DURABILITY_SCENARIOS = ['safe-max', 'plain-max'];

export const PAIRS: {
  title: string;
  durability: BenchDurability;
  columns: [string, string, string];
}[] = [
  {
    title: 'on disk before `success` (cloudfn fsync · plain handlers at synchronous=FULL)',
    durability: 'fsync',
    columns: ['reference-fsync', 'diy-fsync', 'cloudfn-fsync'],
  },
  {
    title: 'survives a process crash (cloudfn process · plain handlers at synchronous=NORMAL)',
    durability: 'process',
    columns: ['reference-normal', 'diy-normal', 'cloudfn-process'],
  },
];

const ratio = (r: ScenarioReport | undefined, key: keyof Figures, a: string, b: string) => {
  const A = r?.columns[a];
  const B = r?.columns[b];
  return A && B ? (B[key] as number) / (A[key] as number) : Number.NaN;
};

/** Issue 19's targets, each checked on the figures of this run. */
export function checkDurabilityTargets(reports: ScenarioReport[]): Target[] {
  const targets: Target[] = [];
  for (const mode of ['safe', 'plain']) {
    const max = reports.find((r) => r.id === `${mode}-max`);
    const add = (name: string, value: number, limit: string, met: (v: number) => boolean) => {
      if (Number.isFinite(value)) targets.push({ name, value, limit, met: met(value) });
    };
    const p = (key: keyof Figures) => ratio(max, key, 'reference-normal', 'cloudfn-process');
    const f = (key: keyof Figures) => ratio(max, key, 'reference-fsync', 'cloudfn-fsync');
    add(
      `${mode}, process vs NORMAL: processed/s at max`,
      p('processedPerSec'),
      '≥ 0.8×',
      (v) => v >= 0.8,
    );
    add(
      `${mode}, process vs NORMAL: acknowledged/s at max`,
      p('ackPerSec'),
      '≥ 1.0×',
      (v) => v >= 1.0,
    );
    add(`${mode}, process vs NORMAL: answer p99 at max`, p('p99'), '≤ 1.5×', (v) => v <= 1.5);
    add(
      `${mode}, process vs NORMAL: CPU ms per push`,
      p('cpuMsPerPush'),
      '≤ 1.5×',
      (v) => v <= 1.5,
    );
    add(
      `${mode}, fsync vs fsync: acknowledged/s at max`,
      f('ackPerSec'),
      '≥ 1.3×',
      (v) => v >= 1.3,
    );
    add(
      `${mode}, fsync vs fsync: processed/s at max`,
      f('processedPerSec'),
      '≥ 1.0×',
      (v) => v >= 1.0,
    );
  }
  return targets;
}

const ROWS: { key: keyof Figures; label: string; digits: number }[] = [
  { key: 'ackPerSec', label: 'acknowledged pushes/s', digits: 0 },
  { key: 'processedPerSec', label: 'processed pushes/s', digits: 0 },
  { key: 'p50', label: 'answer p50 ms', digits: 1 },
  { key: 'p99', label: 'answer p99 ms', digits: 1 },
  { key: 'max', label: 'answer max ms', digits: 1 },
  { key: 'cpuMsPerPush', label: 'CPU ms per push (tree)', digits: 2 },
  { key: 'mainCpuMsPerPush', label: '  of which main process', digits: 2 },
  { key: 'cpuPercent', label: 'CPU % of a core', digits: 0 },
  { key: 'peakRssMb', label: 'peak RSS MiB', digits: 0 },
];

const PER_ROUND: { label: string; of: (m: Measurement) => number }[] = [
  { label: 'acknowledged', of: (m) => m.ackPerSec },
  { label: 'processed', of: (m) => m.processedPerSec },
  { label: 'p99', of: (m) => m.latency.p99 },
  { label: 'CPU/push', of: (m) => m.cpuMsPerPush },
];

/**
 * cloudfn / reference within each round (runs minutes apart, on a machine shared with other
 * work: a round's two runs saw the same neighbours), and their median: how far the ratio
 * of medians can be trusted.
 */
export function perRoundRatios(
  measurements: Measurement[],
  scenario: string,
  reference: string,
  cloudfn: string,
): { label: string; ratios: number[]; median: number }[] {
  const of = (variant: string) =>
    measurements
      .filter((m) => m.scenario === scenario && m.variant === variant)
      .sort((a, b) => a.round - b.round);
  const refs = of(reference);
  const cfs = of(cloudfn);
  return PER_ROUND.map(({ label, of: f }) => {
    const ratios = cfs.flatMap((c) => {
      const r = refs.find((m) => m.round === c.round);
      return r ? [f(c) / f(r)] : [];
    });
    return { label, ratios, median: ratios.length ? median(ratios) : Number.NaN };
  });
}

const fmt = (v: number | undefined, digits: number) =>
  v !== undefined && Number.isFinite(v) ? v.toFixed(digits) : '—';

/** The printed table: per scenario, one block per durability, the three stacks and ratios. */
export function formatDurabilityTable(
  reports: ScenarioReport[],
  measurements: Measurement[] = [],
): string {
  const lines: string[] = [];
  for (const r of reports) {
    lines.push('', `${r.label} — median of ${r.rounds} round(s)`);
    for (const pair of PAIRS) {
      const [ref, diy, cf] = pair.columns;
      if (!pair.columns.some((c) => r.columns[c])) continue;
      lines.push(`  ${pair.title}`);
      lines.push(
        `    ${'figure'.padEnd(24)}${ref.padStart(18)}${diy.padStart(12)}${cf.padStart(17)}${'diy/ref'.padStart(9)}${'cf/ref'.padStart(9)}`,
      );
      for (const row of ROWS) {
        const v = (c: string) => r.columns[c]?.[row.key] as number | undefined;
        lines.push(
          `    ${row.label.padEnd(24)}${fmt(v(ref), row.digits).padStart(18)}${fmt(v(diy), row.digits).padStart(12)}${fmt(v(cf), row.digits).padStart(17)}${(fmt(ratio(r, row.key, ref, diy), 2) + '×').padStart(9)}${(fmt(ratio(r, row.key, ref, cf), 2) + '×').padStart(9)}`,
        );
      }
      for (const { label, ratios, median: m } of perRoundRatios(measurements, r.id, ref, cf))
        if (ratios.length > 1)
          lines.push(
            `    cf/ref per round, ${label}: ${ratios.map((v) => v.toFixed(2)).join(' ')} (median ${m.toFixed(2)})`,
          );
      for (const c of pair.columns) {
        const x = r.columns[c];
        if (x?.incomplete)
          lines.push(`    ! ${c}: ${x.incomplete} round(s) not fully processed by the deadline`);
        if (x?.failed) lines.push(`    ! ${c}: ${x.failed} push(es) not answered 200`);
      }
    }
  }
  return lines.join('\n');
}

const n = (v: number | undefined, d = 0) =>
  v !== undefined && Number.isFinite(v)
    ? v.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d })
    : '—';
const x = (v: number) => (Number.isFinite(v) ? `${v.toFixed(2)}×` : '—');

/** The Markdown tables of docs/performance.md ("At equal durability"). */
export function formatDurabilityMarkdown(
  reports: ScenarioReport[],
  targets: Target[],
  measurements: Measurement[] = [],
): string {
  const lines: string[] = [];
  for (const pair of PAIRS) {
    const [ref, diy, cf] = pair.columns;
    lines.push(
      '',
      `**${pair.title}** — reference · DIY (co-wechat) · cloudfn; ratios are cloudfn / reference`,
      '',
      '| scenario | acknowledged/s (ratio) | processed/s (ratio) | answer p50 ms | answer p99 ms (ratio) | CPU ms per processed push, whole tree (ratio) | of which main process | peak RSS MiB |',
      '| --- | --- | --- | --- | --- | --- | --- | --- |',
    );
    for (const r of reports) {
      const A = r.columns[ref];
      const D = r.columns[diy];
      const C = r.columns[cf];
      if (!A || !C) continue;
      const three = (k: keyof Figures, d = 0) =>
        `${n(A[k] as number, d)} · ${n(D?.[k] as number | undefined, d)} · ${n(C[k] as number, d)}`;
      const flags = [A, D, C]
        .map((c, i) =>
          c && (c.incomplete || c.failed)
            ? ` ⚠ ${['reference', 'DIY', 'cloudfn'][i]}: ${c.incomplete} incomplete round(s), ${c.failed} failed`
            : '',
        )
        .join('');
      lines.push(
        `| ${r.label}${flags} | ${three('ackPerSec')} (${x(ratio(r, 'ackPerSec', ref, cf))}) | ${three('processedPerSec')} (${x(ratio(r, 'processedPerSec', ref, cf))}) | ${three('p50', 1)} | ${three('p99', 1)} (${x(ratio(r, 'p99', ref, cf))}) | ${three('cpuMsPerPush', 2)} (${x(ratio(r, 'cpuMsPerPush', ref, cf))}) | ${three('mainCpuMsPerPush', 2)} | ${three('peakRssMb')} |`,
      );
    }
  }
  if (measurements.length > 0) {
    lines.push(
      '',
      '**cloudfn / reference within each round** (the two runs of a round minutes apart, with the same neighbours), median and range over the rounds',
      '',
      `| scenario, durability | ${PER_ROUND.map((p) => p.label).join(' | ')} |`,
      `| --- | ${PER_ROUND.map(() => '---').join(' | ')} |`,
    );
    for (const r of reports)
      for (const pair of PAIRS) {
        const [ref, , cf] = pair.columns;
        const cells = perRoundRatios(measurements, r.id, ref, cf).map(({ ratios, median: m }) =>
          ratios.length
            ? `${x(m)} (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`
            : '—',
        );
        lines.push(`| ${r.label}, ${pair.durability} | ${cells.join(' | ')} |`);
      }
  }
  lines.push('', '| target (issue 19) | measured | limit | |', '| --- | --- | --- | --- |');
  for (const t of targets)
    lines.push(`| ${t.name} | ${x(t.value)} | ${t.limit} | ${t.met ? 'met' : '**missed**'} |`);
  return lines.join('\n');
}

/**
 * With `--baseline`: this engine against the baseline's, both at `process` durability, and
 * each against the NORMAL reference, per round and as the ratio of the medians.
 */
export function formatBaselineRatios(
  reports: ScenarioReport[],
  measurements: Measurement[],
): string {
  const lines: string[] = [];
  for (const r of reports) {
    lines.push('', `${r.label}: baseline-process → cloudfn-process`);
    for (const row of ROWS) {
      const b = r.columns['baseline-process']?.[row.key] as number | undefined;
      const c = r.columns['cloudfn-process']?.[row.key] as number | undefined;
      const vsRef = (col: string) => fmt(ratio(r, row.key, 'reference-normal', col), 2);
      lines.push(
        `    ${row.label.padEnd(24)}${fmt(b, row.digits).padStart(10)} →${fmt(c, row.digits).padStart(10)}  (${fmt(ratio(r, row.key, 'baseline-process', 'cloudfn-process'), 2)}×; vs reference ${vsRef('baseline-process')}× → ${vsRef('cloudfn-process')}×)`,
      );
    }
    for (const [ref, label] of [
      ['baseline-process', 'cf/baseline'],
      ['reference-normal', 'baseline/ref'],
    ] as const) {
      const cf = ref === 'baseline-process' ? 'cloudfn-process' : 'baseline-process';
      for (const { label: what, ratios, median: m } of perRoundRatios(measurements, r.id, ref, cf))
        if (ratios.length > 0)
          lines.push(
            `    ${label} per round, ${what}: ${ratios.map((v) => v.toFixed(2)).join(' ')} (median ${m.toFixed(2)})`,
          );
    }
  }
  return lines.join('\n');
}
