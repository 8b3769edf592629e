import { useEffect, useRef } from 'preact/hooks';
import { lang, t as tr } from '../i18n/index.ts';

export interface ChartSeries {
  label: string;
  values: number[];
  color: string;
}

/** A uPlot line chart; uPlot is a chunk of its own, loaded when a chart first shows. */
export function Chart({ t, series, title }: { t: number[]; series: ChartSeries[]; title: string }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    let plot: { destroy(): void } | undefined;
    let live = true;
    void import('uplot').then(({ default: UPlot }) => {
      if (!live || !box.current) return;
      plot = new UPlot(
        {
          title,
          width: Math.max(300, box.current.clientWidth || 560),
          height: 200,
          tzDate: (ts: number) => new Date(ts * 1000),
          fmtDate: () => (d: Date) =>
            new Intl.DateTimeFormat(lang.value, { hour: '2-digit', minute: '2-digit' }).format(d),
          series: [
            { label: tr('dashboard.time') },
            ...series.map((s) => ({ label: s.label, stroke: s.color, width: 2 })),
          ],
        },
        [t, ...series.map((s) => s.values)],
        box.current,
      );
    });
    return () => {
      live = false;
      plot?.destroy();
    };
  }, [t, series, title]);
  return <div class="chart" ref={box} />;
}
