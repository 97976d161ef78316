// The error-rate chart: one uPlot line per service over time; a click picks the time bucket under the cursor.
import uPlot from 'uplot';
import { serviceColor } from '../colors.js';
import { h } from '../dom.js';
import type { ErrorMetrics } from '../types.js';

export interface ErrorChart {
  element: HTMLElement;
  /** Call once the element is in the page (uPlot measures its container). */
  mount(): void;
  destroy(): void;
}

/** Bucket start times (µs) shared by all services, and each service's error rate (%) at them, null where it had no requests. */
export function alignSeries(metrics: ErrorMetrics): { times: number[]; rates: Array<Array<number | null>> } {
  const times = [...new Set(metrics.series.flatMap((s) => s.points.map((p) => p.time)))].sort((a, b) => a - b);
  const index = new Map(times.map((t, i) => [t, i]));
  const rates = metrics.series.map((s) => {
    const row: Array<number | null> = new Array<number | null>(times.length).fill(null);
    for (const p of s.points) if (p.requests > 0 && p.errorRate !== null) row[index.get(p.time)!] = p.errorRate * 100;
    return row;
  });
  return { times, rates };
}

export function errorChart(metrics: ErrorMetrics, onBucket: (start: number, end: number) => void): ErrorChart {
  const element = h('div', { class: 'chart', attrs: { 'data-testid': 'error-chart', role: 'img', 'aria-label': 'error rate per service over time' } });
  let plot: uPlot | undefined;
  const { times, rates } = alignSeries(metrics);
  return {
    element,
    mount() {
      const width = Math.max(320, element.clientWidth || 800);
      const opts: uPlot.Options = {
        width,
        height: 260,
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(5, Math.ceil(max ?? 0))] } },
        axes: [{}, { label: 'error rate %', values: (_u, ticks) => ticks.map((t) => `${t}%`) }],
        series: [
          { label: 'time' },
          ...metrics.series.map((s) => ({ label: s.service, stroke: serviceColor(s.service), width: 2, spanGaps: false, value: (_u: uPlot, v: number | null) => (v === null ? '–' : `${v.toFixed(1)}%`) })),
        ],
        cursor: { drag: { x: false, y: false } },
      };
      // uPlot's time scale is in seconds.
      const data: uPlot.AlignedData = [times.map((t) => t / 1e6), ...rates];
      plot = new uPlot(opts, data, element);
      const u = plot;
      u.over.addEventListener('click', () => {
        const idx = u.cursor.idx;
        if (idx === null || idx === undefined) return;
        const start = times[idx]!;
        onBucket(start, start + metrics.step);
      });
    },
    destroy() {
      plot?.destroy();
    },
  };
}
