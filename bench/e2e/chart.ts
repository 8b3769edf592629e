/**
 * The bench's chart as hand-written SVG (no dependency): on the left the throughput of each
 * scenario, acknowledged and processed, reference beside cloudfn; on the right the answer
 * latency distribution (quantile curves, log scales) of the headline scenarios.
 */
import type { ScenarioReport } from './report.ts';
import { CURVE_POINTS } from './run-scenario.ts';

const COLOURS = { reference: '#7f8c8d', cloudfn: '#e67e22', hostile: '#c0392b' };
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

function niceMax(v: number): number {
  const p = 10 ** Math.floor(Math.log10(Math.max(1, v)));
  return [1, 2, 2.5, 5, 10].map((m) => m * p).find((m) => m >= v) ?? 10 * p;
}

function throughputPanel(
  reports: ScenarioReport[],
  x0: number,
  y0: number,
  w: number,
  h: number,
): string[] {
  const rows = reports.filter((r) => r.columns.reference);
  const top = niceMax(
    Math.max(
      ...rows.flatMap((r) =>
        [r.columns.reference!, r.columns.cloudfn!].flatMap((c) => [c.ackPerSec, c.processedPerSec]),
      ),
    ),
  );
  const out: string[] = [
    `<text x="${x0}" y="${y0 - 28}" class="title">Throughput (pushes/s, median of rounds)</text>`,
  ];
  const plotH = h - 60;
  const y = (v: number) => y0 + plotH - (v / top) * plotH;
  for (let i = 0; i <= 4; i++) {
    const v = (top / 4) * i;
    out.push(
      `<line x1="${x0}" x2="${x0 + w}" y1="${y(v)}" y2="${y(v)}" class="grid"/>`,
      `<text x="${x0 - 6}" y="${y(v) + 4}" class="tick" text-anchor="end">${Math.round(v)}</text>`,
    );
  }
  const group = w / rows.length;
  const bar = Math.min(14, (group - 10) / 4);
  rows.forEach((r, i) => {
    const gx = x0 + i * group + (group - 4 * bar - 6) / 2;
    const bars: [number, string, string][] = [
      [r.columns.reference!.ackPerSec, COLOURS.reference, 'reference acknowledged'],
      [r.columns.cloudfn!.ackPerSec, COLOURS.cloudfn, 'cloudfn acknowledged'],
      [r.columns.reference!.processedPerSec, COLOURS.reference, 'reference processed'],
      [r.columns.cloudfn!.processedPerSec, COLOURS.cloudfn, 'cloudfn processed'],
    ];
    bars.forEach(([v, colour, what], j) => {
      const bx = gx + j * bar + (j >= 2 ? 6 : 0);
      const hatched = j >= 2 ? ' fill-opacity="0.55"' : '';
      out.push(
        `<rect x="${bx.toFixed(1)}" y="${y(v).toFixed(1)}" width="${(bar - 1).toFixed(1)}" height="${(y0 + plotH - y(v)).toFixed(1)}" fill="${colour}"${hatched}><title>${esc(r.label)}: ${what} ${Math.round(v)}/s</title></rect>`,
      );
    });
    out.push(
      `<text x="${(x0 + (i + 0.5) * group).toFixed(1)}" y="${y0 + plotH + 16}" class="tick" text-anchor="middle">${esc(r.id)}</text>`,
    );
  });
  out.push(
    `<text x="${x0}" y="${y0 + plotH + 36}" class="note">each group: acknowledged (solid) then processed (light); grey reference, orange cloudfn</text>`,
  );
  return out;
}

function latencyPanel(
  reports: ScenarioReport[],
  x0: number,
  y0: number,
  w: number,
  h: number,
): string[] {
  const lines: { name: string; colour: string; dash: string; curve: number[] }[] = [];
  const add = (id: string, column: string, name: string, colour: string, dash: string) => {
    const curve = reports.find((r) => r.id === id)?.columns[column]?.curve;
    if (curve && curve.length === CURVE_POINTS.length) lines.push({ name, colour, dash, curve });
  };
  add('safe-max', 'reference', 'reference, safe, closed loop', COLOURS.reference, '');
  add('safe-max', 'cloudfn', 'cloudfn, safe, closed loop', COLOURS.cloudfn, '');
  add('safe-1000', 'reference', 'reference, safe, 1000/s', COLOURS.reference, '6 4');
  add('safe-1000', 'cloudfn', 'cloudfn, safe, 1000/s', COLOURS.cloudfn, '6 4');
  add('safe-200', 'reference', 'reference, safe, 200/s', COLOURS.reference, '2 3');
  add('safe-200', 'cloudfn', 'cloudfn, safe, 200/s', COLOURS.cloudfn, '2 3');
  add(
    'safe-200-hostile',
    'cloudfn+hostile',
    'cloudfn, safe, 200/s, hostile neighbour',
    COLOURS.hostile,
    '2 3',
  );
  const out: string[] = [
    `<text x="${x0}" y="${y0 - 28}" class="title">Answer latency distribution (ms, log scale)</text>`,
  ];
  const plotH = h - 60;
  const all = lines.flatMap((l) => l.curve).filter((v) => v > 0);
  const lo = 10 ** Math.floor(Math.log10(Math.max(0.1, Math.min(...all))));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(lo * 10, ...all)));
  const y = (v: number) =>
    y0 +
    plotH -
    ((Math.log10(Math.max(lo, v)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * plotH;
  // x: quantile q on a "nines" scale, -log10(1 - q), capped at 3 (p99.9); 1 (the max) at 3.3.
  const nines = (q: number) => (q >= 1 ? 3.3 : Math.min(3, -Math.log10(1 - q)));
  const x = (q: number) => x0 + (nines(q) / 3.3) * w;
  for (let d = Math.log10(lo); d <= Math.log10(hi); d++) {
    const v = 10 ** d;
    out.push(
      `<line x1="${x0}" x2="${x0 + w}" y1="${y(v)}" y2="${y(v)}" class="grid"/>`,
      `<text x="${x0 - 6}" y="${y(v) + 4}" class="tick" text-anchor="end">${v}</text>`,
    );
  }
  for (const [q, label] of [
    [0, 'p0'],
    [0.5, 'p50'],
    [0.9, 'p90'],
    [0.99, 'p99'],
    [0.999, 'p99.9'],
    [1, 'max'],
  ] as const) {
    out.push(
      `<line x1="${x(q)}" x2="${x(q)}" y1="${y0}" y2="${y0 + plotH}" class="grid"/>`,
      `<text x="${x(q)}" y="${y0 + plotH + 16}" class="tick" text-anchor="middle">${label}</text>`,
    );
  }
  lines.forEach((l, i) => {
    const points = CURVE_POINTS.map(
      (q, k) => `${x(q).toFixed(1)},${y(l.curve[k]!).toFixed(1)}`,
    ).join(' ');
    out.push(
      `<polyline points="${points}" fill="none" stroke="${l.colour}" stroke-width="2" stroke-dasharray="${l.dash}"><title>${esc(l.name)}</title></polyline>`,
    );
    const ly = y0 + plotH + 34 + i * 15;
    out.push(
      `<line x1="${x0}" x2="${x0 + 24}" y1="${ly - 4}" y2="${ly - 4}" stroke="${l.colour}" stroke-width="2" stroke-dasharray="${l.dash}"/>`,
      `<text x="${x0 + 30}" y="${ly}" class="note">${esc(l.name)}</text>`,
    );
  });
  return out;
}

/** The whole chart; `subtitle` names the machine and the date. */
export function renderChart(reports: ScenarioReport[], subtitle: string): string {
  const width = 1100;
  const height = 520;
  const body = [
    ...throughputPanel(reports, 70, 70, 460, 330),
    ...latencyPanel(reports, 640, 70, 420, 330),
  ];
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    '<style>.title{font-size:14px;font-weight:bold}.tick{font-size:10px;fill:#555}.note{font-size:11px;fill:#333}.grid{stroke:#ddd;stroke-width:1}</style>',
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="20" y="22" font-size="16" font-weight="bold">cloudfn vs the unsandboxed reference — the card tutorial end to end</text>`,
    `<text x="20" y="40" class="note">${esc(subtitle)}</text>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}
