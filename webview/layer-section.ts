/**
 * One tapped layer: the histogram over time (heatmap), the current histogram, and dead / dormant
 * share with mean drift over steps. Charts are created once and updated in place.
 */
import type uPlot from 'uplot';
import type { LayerProbe, LayerSummary } from '../src/protocol';
import type { LayerTimeline } from '../src/dashboard-state';
import { clippedNote } from './histogram-scale';
import {
  heatmapChart,
  heatmapFrame,
  histogramChart,
  histogramData,
  lineChart,
  type HeatmapData,
} from './charts';
import { el, pct, signed } from './dom';
import type { Health } from './layer-health';

export class LayerSection {
  readonly root: HTMLElement;
  private readonly badge: HTMLElement;
  private readonly stats: HTMLElement;
  private readonly chartsBox: HTMLElement;
  private charts: { heat: uPlot; hist: uPlot; trend: uPlot } | null = null;
  private heat: HeatmapData = { steps: [], edges: [], counts: [] };
  private counts: readonly number[] = [];
  private readonly note: HTMLElement = el('p', { class: 'chart-note' });
  private width = 0;

  constructor(
    readonly name: string,
    summary: LayerSummary | undefined,
    onGoTo: (layer: string) => void,
  ) {
    this.badge = el('vscode-badge', { class: 'health' });
    this.stats = el('p', { class: 'layer-stats' });
    this.chartsBox = el('div', { class: 'layer-charts' });
    const title = el(
      'h3',
      {},
      name,
      summary
        ? el('span', { class: 'layer-kind' }, ` ${summary.className} · ${summary.activation ?? 'linear'}`)
        : null,
    );
    const goTo = el(
      'vscode-button',
      { secondary: '', icon: 'go-to-file', title: 'Go to layer', class: 'go-to-layer' },
      'Go to layer',
    );
    goTo.addEventListener('click', () => onGoTo(name));
    this.root = el(
      'section',
      { class: 'layer', 'data-layer': name },
      el('header', {}, title, this.badge, summary?.source ? goTo : null),
      this.stats,
      this.chartsBox,
    );
  }

  /** `compare`: the same layer in the what-if arm (ELU), drawn beside the baseline when present. */
  update(timeline: LayerTimeline, health: Health, width: number, compare: LayerTimeline | null = null): void {
    const p = timeline.latest;
    this.badge.textContent = health;
    this.badge.dataset.health = health;
    this.stats.textContent = describe(p, timeline.first);
    this.heat = {
      steps: timeline.probes.map((x) => x.step),
      edges: timeline.first.histogram.edges,
      counts: timeline.probes.map((x) => x.histogram.counts),
    };
    const w = Math.max(200, width);
    if (!this.charts || Math.abs(w - this.width) > 4) this.build(w);
    const c = this.charts as NonNullable<typeof this.charts>;
    c.heat.setData(heatmapFrame(this.heat));
    this.counts = p.histogram.counts;
    c.hist.setData(histogramData(p.histogram));
    const outside = p.histogram.underflow + p.histogram.overflow;
    const notes = [
      clippedNote(p.histogram),
      outside > 0
        ? `${outside.toLocaleString('en-US')} values outside the step-${timeline.first.step} range (${p.histogram.underflow} below, ${p.histogram.overflow} above)`
        : null,
    ];
    this.note.textContent = notes.filter((n) => n !== null).join(' · ');
    const steps = timeline.probes.map((x) => x.step);
    // Both arms probe at the same steps (same seed and schedule); align the what-if arm by step.
    const other = new Map((compare?.probes ?? []).map((x) => [x.step, x]));
    c.trend.setData([
      steps,
      timeline.probes.map((x) => x.dead.fraction),
      timeline.probes.map((x) => x.dormant.fraction),
      timeline.probes.map((x) => x.saturated?.fraction ?? null),
      timeline.probes.map((x) => x.mean),
      steps.map((st) => other.get(st)?.saturated?.fraction ?? other.get(st)?.dead.fraction ?? null),
      steps.map((st) => other.get(st)?.mean ?? null),
    ]);
    for (const idx of [5, 6])
      if (c.trend.series[idx]?.show !== !!compare) c.trend.setSeries(idx, { show: !!compare });
  }

  private build(width: number): void {
    if (this.charts) for (const c of Object.values(this.charts)) c.destroy();
    this.chartsBox.replaceChildren();
    this.width = width;
    const heatBox = el('div', { class: 'chart' });
    const histBox = el('div', { class: 'chart' });
    const trendBox = el('div', { class: 'chart' });
    this.chartsBox.append(heatBox, histBox, this.note, trendBox);
    this.charts = {
      heat: heatmapChart(heatBox, width, () => this.heat),
      hist: histogramChart(histBox, width, () => this.counts),
      trend: lineChart(
        trendBox,
        'Dead / dormant share and mean drift',
        [
          { label: 'dead', color: 'red' },
          { label: 'dormant', color: 'yellow' },
          { label: 'saturated', color: 'purple' },
          { label: 'mean', color: 'blue', scale: 'mean', dash: [4, 2] },
          { label: 'what-if dead/saturated', color: 'orange' },
          { label: 'what-if mean', color: 'green', scale: 'mean', dash: [4, 2] },
        ],
        [[], [], [], [], [], [], []],
        width,
        true,
      ),
    };
  }

  destroy(): void {
    if (this.charts) for (const c of Object.values(this.charts)) c.destroy();
    this.charts = null;
    this.root.remove();
  }
}

/** "41% dead (105/256) · 3% dormant · sparsity 62% · mean +0.38 (step 0: +0.12)". */
export function describe(p: LayerProbe, first: LayerProbe): string {
  const parts = [
    `${pct(p.dead.fraction)} dead (${p.dead.count}/${p.units})`,
    `${pct(p.dormant.fraction)} dormant (${p.dormant.count})`,
  ];
  if (p.saturated) parts.push(`${pct(p.saturated.fraction)} saturated (${p.saturated.count})`);
  parts.push(
    `sparsity ${pct(p.sparsity)}`,
    `mean ${signed(p.mean)} (step ${first.step}: ${signed(first.mean)})`,
    `step ${p.step}`,
  );
  if (p.nonFinite > 0) parts.push(`${p.nonFinite} non-finite values`);
  return parts.join(' · ');
}
