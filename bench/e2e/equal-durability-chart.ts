/**
 * The chart of the bench at equal durability as hand-written SVG (no dependency): for each
 * closed-loop scenario and durability, the reference, the DIY stack (koa + co-wechat) and
 * cloudfn side by side — throughput on the left (acknowledged, then processed), CPU ms per
 * processed push of the whole process tree on the right (the main process's share darker).
 */
import type { Figures, ScenarioReport } from './report.ts';
import { PAIRS } from './equal-durability.ts';

const STACKS = [
  { label: 'reference', colour: '#7f8c8d' },
  { label: 'DIY (koa + co-wechat)', colour: '#2980b9' },
  { label: 'cloudfn', colour: '#e67e22' },
];
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

function niceMax(v: number): number {
  const p = 10 ** Math.floor(Math.log10(Math.max(1e-9, v)));
  return [1, 2, 2.5, 5, 10].map((m) => m * p).find((m) => m >= v) ?? 10 * p;
}

interface Group {
  label: string;
  columns: (Figures | undefined)[];
}

function groupsOf(reports: ScenarioReport[]): Group[] {
  return reports.flatMap((r) =>
    PAIRS.map((pair) => ({
      label: `${r.id.replace('-max', '')} · ${pair.durability === 'fsync' ? 'fsync' : 'process/NORMAL'}`,
      columns: pair.columns.map((c) => r.columns[c]),
    })),
  );
}

/** A bar panel: `bars(figures)` gives each stack's bars as [value, opacity, what]. */
function panel(
  title: string,
  groups: Group[],
  bars: (f: Figures) => [number, number, string][],
  box: { x0: number; y0: number; w: number; h: number; digits: number },
): string[] {
  const { x0, y0, w, h, digits } = box;
  const values = groups.flatMap((g) =>
    g.columns.flatMap((c) => (c ? bars(c).map(([v]) => v) : [])),
  );
  const top = niceMax(Math.max(0, ...values.filter(Number.isFinite)));
  const y = (v: number) => y0 + h - (v / top) * h;
  const out = [`<text x="${x0}" y="${y0 - 14}" class="title">${esc(title)}</text>`];
  for (let i = 0; i <= 4; i++) {
    const v = (top / 4) * i;
    out.push(
      `<line x1="${x0}" x2="${x0 + w}" y1="${y(v)}" y2="${y(v)}" class="grid"/>`,
      `<text x="${x0 - 6}" y="${y(v) + 4}" class="tick" text-anchor="end">${v.toFixed(digits)}</text>`,
    );
  }
  const perStack = bars(groups.find((g) => g.columns[0])!.columns[0]!).length;
  const gw = w / groups.length;
  const bar = Math.min(12, (gw - 16) / (STACKS.length * perStack));
  groups.forEach((g, i) => {
    const gx = x0 + i * gw + (gw - bar * STACKS.length * perStack) / 2;
    g.columns.forEach((c, s) => {
      if (!c) return;
      bars(c).forEach(([v, opacity, what], j) => {
        const bx = gx + (s * perStack + j) * bar;
        out.push(
          `<rect x="${bx.toFixed(1)}" y="${y(v).toFixed(1)}" width="${(bar - 1).toFixed(1)}" height="${(y0 + h - y(v)).toFixed(1)}" fill="${STACKS[s]!.colour}" fill-opacity="${opacity}"><title>${esc(`${g.label}, ${STACKS[s]!.label}: ${what} ${v.toFixed(digits)}`)}</title></rect>`,
        );
      });
    });
    out.push(
      `<text x="${(x0 + (i + 0.5) * gw).toFixed(1)}" y="${y0 + h + 16}" class="tick" text-anchor="middle">${esc(g.label)}</text>`,
    );
  });
  return out;
}

/** The whole SVG. */
export function renderDurabilityChart(reports: ScenarioReport[], subtitle: string): string {
  const width = 1100;
  const height = 470;
  const groups = groupsOf(reports);
  const body = groups.length
    ? [
        ...panel(
          'Throughput at the closed-loop maximum (pushes/s, median of rounds)',
          groups,
          (f) => [
            [f.ackPerSec, 1, 'acknowledged/s'],
            [f.processedPerSec, 0.5, 'processed/s'],
          ],
          { x0: 70, y0: 80, w: 560, h: 300, digits: 0 },
        ),
        ...panel(
          'CPU ms per processed push, whole process tree',
          groups,
          (f) => [
            [f.cpuMsPerPush, 0.5, 'CPU ms/push (tree)'],
            [f.mainCpuMsPerPush, 1, 'of which main process'],
          ],
          { x0: 720, y0: 80, w: 360, h: 300, digits: 2 },
        ),
      ]
    : [];
  const legend = STACKS.map(
    (s, i) =>
      `<rect x="${20 + i * 210}" y="${height - 40}" width="12" height="12" fill="${s.colour}"/><text x="${38 + i * 210}" y="${height - 30}" class="note">${esc(s.label)}</text>`,
  );
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    '<style>.title{font-size:14px;font-weight:bold}.tick{font-size:10px;fill:#555}.note{font-size:11px;fill:#333}.grid{stroke:#ddd;stroke-width:1}</style>',
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="20" y="22" font-size="16" font-weight="bold">At equal durability: cloudfn, the reference and koa + co-wechat — the card tutorial end to end</text>`,
    `<text x="20" y="40" class="note">${esc(subtitle)}</text>`,
    ...body,
    ...legend,
    `<text x="660" y="${height - 30}" class="note">left: acknowledged (solid), processed (light) · right: tree (light), main process (solid)</text>`,
    '</svg>',
    '',
  ].join('\n');
}
