/**
 * uPlot charts for the dashboard: time series (loss, accuracy, dead share, mean drift), a histogram
 * as bars, and the histogram-over-time heatmap (steps × bins) painted under uPlot's axes.
 */
import uPlot from 'uplot';
import type { Histogram } from '../src/protocol';
import { themeColors, type ThemeColors } from './theme';
import { shapeScale } from './histogram-scale';

export interface SeriesSpec {
  label: string;
  color: keyof Omit<ThemeColors, 'heat' | 'highContrast'>;
  scale?: string;
  dash?: number[];
}

/** Another run's series (a comparison): the ghost colour, dotted, behind this run's lines. */
export const GHOST_DASH = [2, 3];

const HEIGHT = 140;

function axes(scaleRight: string | null, label?: (v: number) => string): uPlot.Axis[] {
  const t = themeColors();
  const base = {
    stroke: t.foreground,
    grid: { stroke: t.grid, width: 0.5 },
    ticks: { stroke: t.grid, width: 0.5 },
    font: '10px sans-serif',
  };
  const out: uPlot.Axis[] = [
    { ...base },
    { ...base, ...(label ? { values: (_u: uPlot, splits: number[]) => splits.map(label) } : {}) },
  ];
  if (scaleRight) out.push({ ...base, scale: scaleRight, side: 1, grid: { show: false } });
  return out;
}

/**
 * A line chart over steps; `data[0]` are the x values. `shareAxis`: the left axis is a share (0 to
 * at least 10%), so an all-zero dead fraction reads as "0", not as an autoscaled flat line.
 */
export function lineChart(
  target: HTMLElement,
  title: string,
  series: SeriesSpec[],
  data: uPlot.AlignedData,
  width: number,
  shareAxis = false,
): uPlot {
  const t = themeColors();
  const right = series.find((s) => s.scale && s.scale !== 'y')?.scale ?? null;
  return new uPlot(
    {
      title,
      width,
      height: HEIGHT,
      scales: {
        x: { time: false },
        ...(shareAxis
          ? {
              y: {
                range: (_u: uPlot, _min: number, max: number): uPlot.Range.MinMax => [
                  0,
                  Math.min(1, Math.max(0.1, max * 1.1)),
                ],
              },
            }
          : {}),
      },
      axes: axes(right, shareAxis ? (v) => `${Math.round(v * 100)}%` : undefined),
      legend: { show: true, live: false },
      cursor: { drag: { x: false, y: false } },
      series: [
        { label: 'step' },
        ...series.map((s) => ({
          label: s.label,
          stroke: t[s.color],
          width: t.highContrast ? 2.5 : 1.5,
          scale: s.scale ?? 'y',
          ...(s.dash ? { dash: s.dash } : {}),
          spanGaps: true,
        })),
      ],
    },
    data,
    target,
  );
}

/** The latest histogram as bars, x = bin centre; a spike far above the rest is clipped (and said so). */
export function histogramChart(
  target: HTMLElement,
  width: number,
  getCounts: () => readonly number[],
): uPlot {
  const t = themeColors();
  const u = new uPlot(
    {
      title: 'Current histogram (post-activation values)',
      width,
      height: HEIGHT,
      scales: { x: { time: false }, y: { auto: false, range: () => [0, shapeScale(getCounts()) * 1.15] } },
      axes: axes(null),
      legend: { show: false },
      cursor: { show: false },
      series: [
        {},
        {
          label: 'count',
          fill: t.blue,
          stroke: t.blue,
          paths: uPlot.paths.bars?.({ size: [0.95, Infinity] }),
        },
      ],
    },
    [[], []],
    target,
  );
  u.ctx.canvas.classList.add('histogram');
  return u;
}

export function histogramData(h: Histogram): uPlot.AlignedData {
  const centres = h.counts.map((_, i) => ((h.edges[i] ?? 0) + (h.edges[i + 1] ?? 0)) / 2);
  return [centres, h.counts];
}

/** Steps × bins: one column per probe step, one row per bin, brightness = log(1 + count). */
export interface HeatmapData {
  steps: number[];
  /** One set of edges for every step (earlier histograms re-binned onto the newest). */
  edges: number[];
  counts: number[][];
}

/** Scratch canvas for the heatmap's cells: one pixel per (plot column, bin), scaled up by drawImage. */
const heatCells = typeof document === 'undefined' ? null : document.createElement('canvas');

export function heatmapChart(target: HTMLElement, width: number, get: () => HeatmapData): uPlot {
  const t = themeColors();
  const u = new uPlot(
    {
      title: 'Histogram over time (step × value)',
      width,
      height: HEIGHT + 20,
      scales: {
        x: { time: false },
        y: {
          auto: false,
          range: () => {
            const d = get();
            return [d.edges[0] ?? 0, d.edges[d.edges.length - 1] ?? 1];
          },
        },
      },
      axes: axes(null, (v) => v.toFixed(2)),
      legend: { show: false },
      cursor: { show: false },
      series: [{}, { label: 'range', stroke: 'transparent', points: { show: false } }],
      hooks: { drawAxes: [(self) => drawHeat(self, get(), t.heat)] },
    },
    [[], []],
    target,
  );
  u.ctx.canvas.classList.add('histogram', 'heatmap');
  return u;
}

/**
 * Paints the cells as an image one device pixel per plot column and one row per bin, then scales
 * it onto the plot: the cost follows the plot's width, not steps × bins fillRects. Bins are equal
 * in width (src/histogram.ts), so on the linear y scale every bin is the same height.
 */
function drawHeat(self: uPlot, d: HeatmapData, [r, g, b]: [number, number, number]): void {
  const bins = d.edges.length - 1;
  // What the axes show, for the tests: it must be the edges the cells are painted on.
  self.ctx.canvas.dataset.valueRange = `${self.scales.y?.min},${self.scales.y?.max}`;
  if (d.steps.length === 0 || bins < 1 || !heatCells) return;
  const { left, top, width, height } = self.bbox;
  const columns = Math.max(1, Math.round(width));
  heatCells.width = columns;
  heatCells.height = bins;
  const cellCtx = heatCells.getContext('2d');
  if (!cellCtx) return;
  const image = cellCtx.createImageData(columns, bins);
  for (let s = 0; s < d.steps.length; s++) {
    const x0 = Math.round(self.valToPos(d.steps[s] as number, 'x', true) - left);
    const x1 =
      s + 1 < d.steps.length
        ? Math.round(self.valToPos(d.steps[s + 1] as number, 'x', true) - left)
        : columns;
    const column = d.counts[s] ?? [];
    // Per step, scaled to the column's shape (see shapeScale), so a zero spike does not wash it out.
    const scale = shapeScale(column);
    for (let k = 0; k < bins; k++) {
      const c = column[k] ?? 0;
      if (c <= 0) continue;
      const alpha = Math.round(255 * (0.08 + 0.92 * Math.sqrt(Math.min(1, c / scale))));
      const row = bins - 1 - k; // bin 0 at the bottom
      for (let x = Math.max(0, x0); x < Math.min(columns, Math.max(x1, x0 + 1)); x++) {
        const at = 4 * (row * columns + x);
        image.data[at] = r;
        image.data[at + 1] = g;
        image.data[at + 2] = b;
        image.data[at + 3] = alpha;
      }
    }
  }
  cellCtx.putImageData(image, 0, 0);
  const ctx = self.ctx;
  ctx.save();
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(heatCells, 0, 0, columns, bins, left, top, width, height);
  ctx.restore();
}

/** x values for the heatmap's dummy series so uPlot sets the step scale. */
export function heatmapFrame(d: HeatmapData): uPlot.AlignedData {
  const xs = d.steps.length === 1 ? [d.steps[0] as number, (d.steps[0] as number) + 1] : d.steps;
  return [xs, xs.map(() => null)];
}

/** Shows or hides series by index, touching only those that change (each change redraws). */
export function showSeries(chart: uPlot, shown: readonly (readonly [number, boolean])[]): void {
  for (const [idx, show] of shown) if (chart.series[idx]?.show !== show) chart.setSeries(idx, { show });
}
