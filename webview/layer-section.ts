/**
 * One tapped layer: a header (name, health, "Go to layer"), a one-line summary, and — when open —
 * the histogram over time (heatmap), the current histogram, and dead / dormant share with mean
 * drift over steps. Charts are created when the section first opens and updated in place; an open
 * section off screen skips updates until it scrolls into view, so a wide model costs only the
 * sections someone is looking at.
 */
import type uPlot from 'uplot';
import type { LayerProbe, LayerSummary, RunComparison } from '../src/protocol';
import type { LayerTimeline } from '../src/dashboard-state';
import { clippedNote } from './histogram-scale';
import { histogramHistory } from './histogram-history';
import { onUnionOfSteps, stepSeries } from './ghost-series';
import {
  GHOST_DASH,
  heatmapChart,
  heatmapFrame,
  histogramChart,
  histogramData,
  lineChart,
  showSeries,
  type HeatmapData,
} from './charts';
import { el, pct, signed } from './dom';

const ghostStep = (p: { step: number }) => p.step;
import type { Health } from './layer-health';

/** The same layer in another run (a comparison), drawn as ghost lines. */
export type GhostLayer = RunComparison['layers'][number];

interface Shown {
  timeline: LayerTimeline;
  width: number;
  compare: LayerTimeline | null;
  ghost: GhostLayer | null;
}

export class LayerSection {
  readonly root: HTMLElement;
  private readonly badge: HTMLElement;
  private readonly stats: HTMLElement;
  private readonly toggle: HTMLButtonElement;
  private readonly chartsBox: HTMLElement;
  private charts: { heat: uPlot; hist: uPlot; trend: uPlot } | null = null;
  private heat: HeatmapData = { steps: [], edges: [], counts: [] };
  private counts: readonly number[] = [];
  private readonly note: HTMLElement = el('p', { class: 'chart-note' });
  private width = 0;
  private open: boolean;
  private onScreen = false;
  /** The data last given; drawn when the section is open and on screen. */
  private shown: Shown | null = null;
  private drawn: Shown | null = null;
  private health: Health = 'ok';
  private headerWritten = false;

  constructor(
    readonly name: string,
    summary: LayerSummary | undefined,
    /** null: no "Go to layer" (an exported report has no editor to go to). */
    onGoTo: ((layer: string) => void) | null,
    open = true,
  ) {
    this.open = open;
    this.badge = el('vscode-badge', { class: 'health' });
    this.stats = el('p', { class: 'layer-stats' });
    const chartsId = `layer-charts-${name.replace(/[^\w-]/g, '_')}`;
    this.chartsBox = el('div', { class: 'layer-charts', id: chartsId });
    this.toggle = el(
      'button',
      { type: 'button', class: 'layer-toggle', 'aria-controls': chartsId },
      name,
      summary
        ? el('span', { class: 'layer-kind' }, ` ${summary.className} · ${summary.activation ?? 'linear'}`)
        : null,
    );
    this.toggle.addEventListener('click', () => this.setOpen(!this.open));
    const goTo = el(
      'vscode-button',
      { secondary: '', icon: 'go-to-file', title: 'Go to layer', class: 'go-to-layer' },
      'Go to layer',
    );
    goTo.addEventListener('click', () => onGoTo?.(name));
    this.root = el(
      'section',
      { class: 'layer', 'data-layer': name },
      el('header', {}, el('h3', {}, this.toggle), this.badge, summary?.source && onGoTo ? goTo : null),
      this.stats,
      this.chartsBox,
    );
    this.syncOpen();
  }

  get isOpen(): boolean {
    return this.open;
  }

  setOpen(open: boolean): void {
    if (open === this.open) return;
    this.open = open;
    this.syncOpen();
    this.draw(true);
  }

  /** Keyboard focus on the section's header, so a reader sent here by a lens goes on from it. */
  focusHeader(): void {
    this.toggle.focus({ preventScroll: true });
  }

  /** From the dashboard's IntersectionObserver. */
  setOnScreen(onScreen: boolean): void {
    this.onScreen = onScreen;
    if (onScreen) this.writeHeader();
    this.draw(false);
  }

  /**
   * `compare`: the same layer in the what-if arm (ELU), drawn beside the baseline when present.
   * Off screen only the data is kept: 200 sections rewriting their text on every render would
   * make every layout of the page pay for all of them.
   */
  update(
    timeline: LayerTimeline,
    health: Health,
    width: number,
    compare: LayerTimeline | null = null,
    ghost: GhostLayer | null = null,
  ): void {
    this.shown = { timeline, width, compare, ghost };
    this.health = health;
    if (this.onScreen || !this.headerWritten) this.writeHeader();
    this.draw(false);
  }

  private writeHeader(): void {
    const shown = this.shown;
    if (!shown) return;
    this.headerWritten = true;
    if (this.badge.textContent !== this.health) {
      this.badge.textContent = this.health;
      this.badge.dataset.health = this.health;
    }
    const stats = describe(shown.timeline.latest, shown.timeline.first);
    if (this.stats.textContent !== stats) this.stats.textContent = stats;
  }

  private syncOpen(): void {
    this.toggle.setAttribute('aria-expanded', String(this.open));
    this.chartsBox.hidden = !this.open;
    this.root.dataset.open = String(this.open);
  }

  /** Open sections draw when first opened (`force`) and whenever on screen; closed ones never. */
  private draw(force: boolean): void {
    const shown = this.shown;
    if (!this.open || !shown || shown === this.drawn) return;
    if (!force && this.charts && !this.onScreen) return;
    this.drawn = shown;
    this.drawCharts(shown);
  }

  private drawCharts({ timeline, width, compare, ghost }: Shown): void {
    const p = timeline.latest;
    // Every earlier histogram re-binned onto the newest edges, so no step is drawn off-range.
    this.heat = histogramHistory(timeline.probes);
    const w = Math.max(200, width);
    if (!this.charts || Math.abs(w - this.width) > 4) this.build(w);
    const c = this.charts as NonNullable<typeof this.charts>;
    c.heat.setData(heatmapFrame(this.heat));
    // The value axis is the newest edges; a fixed-range scale is not recomputed by setData.
    const { edges } = this.heat;
    if (edges.length > 1) c.heat.setScale('y', { min: edges[0]!, max: edges[edges.length - 1]! });
    this.counts = p.histogram.counts;
    c.hist.setData(histogramData(p.histogram));
    const { underflow, overflow } = p.histogram;
    const notes = [
      clippedNote(p.histogram),
      underflow + overflow > 0
        ? `not drawn: ${[underflow ? `${underflow.toLocaleString('en-US')} −∞` : '', overflow ? `${overflow.toLocaleString('en-US')} +∞` : ''].filter(Boolean).join(', ')}`
        : null,
    ];
    this.note.textContent = notes.filter((n) => n !== null).join(' · ');
    const probes = timeline.probes;
    const step = (x: LayerProbe) => x.step;
    // Both arms probe at the same steps (same seed and schedule); another run's steps may differ,
    // so every series is laid on the union of the steps.
    const other = compare?.probes ?? [];
    const { steps, values } = onUnionOfSteps([
      stepSeries(probes, step, (x) => x.dead.fraction),
      stepSeries(probes, step, (x) => x.dormant.fraction),
      stepSeries(
        probes.filter((x) => x.saturated),
        step,
        (x) => x.saturated?.fraction ?? 0,
      ),
      stepSeries(probes, step, (x) => x.mean),
      compare ? stepSeries(other, step, (x) => x.saturated?.fraction ?? x.dead.fraction) : null,
      compare ? stepSeries(other, step, (x) => x.mean) : null,
      ghost ? stepSeries(ghost.deadFraction, ghostStep, (p) => p.fraction) : null,
      ghost ? stepSeries(ghost.meanDrift, ghostStep, (p) => p.mean) : null,
    ]);
    c.trend.setData([steps, ...values]);
    showSeries(c.trend, [
      [5, !!compare],
      [6, !!compare],
      [7, !!ghost],
      [8, !!ghost],
    ]);
    this.root.dataset.ghost = String(!!ghost);
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
          { label: 'compared dead', color: 'ghost', dash: GHOST_DASH },
          { label: 'compared mean', color: 'ghost', scale: 'mean', dash: [6, 3, 1, 3] },
        ],
        [[], [], [], [], [], [], [], [], []],
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
