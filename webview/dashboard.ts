/**
 * The dashboard's DOM: a status header, the model overview, finding cards, the layers table,
 * training curves, what-if results and one section per tapped layer. Regions are built once and
 * updated in place. A model with many layers opens its sections on demand (from the overview, the
 * table or a section's header), so a 200-layer run draws only what is being looked at.
 */
import type uPlot from 'uplot';
import { webviewRequest, type DashboardState, type WebviewRequest } from '../src/protocol';
import { baselineArm, comparisonArm, layerTimelines } from '../src/dashboard-state';
import { layerHealth, sortBySeverity, type LayerRow } from './layer-health';
import { LayerSection } from './layer-section';
import { ModelOverview } from './model-overview';
import { findingCard } from './finding-cards';
import { layersTable } from './layers-table';
import { definitionsPanel } from './definitions-panel';
import { statusText } from './status-header';
import { partialBanner } from './partial-banner';
import { lineChart } from './charts';
import { el, pct, signed } from './dom';

/** Models with at most this many tapped layers open every section; wider ones open on demand. */
export const OPEN_SECTIONS_UP_TO = 8;
/** The layers table lists at most this many, worst first; the overview shows every layer. */
export const TABLE_ROWS = 12;
const TABLE_INTERVAL_MS = 1000;

export class Dashboard {
  private readonly overview = new ModelOverview((layer) => this.focusLayer(layer));
  private readonly status = el('p', { id: 'status', role: 'status' });
  /** Partial model / other models of the file (webview/partial-banner.ts). */
  private readonly modelNote = el('div', { class: 'model-notes' });
  private renderedModel: unknown = undefined;
  private readonly progress = el('vscode-progress-bar', { class: 'run-progress' });
  private readonly findings = el('div', { class: 'findings' });
  private readonly table = el('div', { class: 'layers' });
  private readonly training = el('div', { class: 'training chart' });
  private readonly whatIf = el('div', { class: 'what-if' });
  private readonly layers = el('div', { class: 'layer-sections' });
  private readonly definitions = el('div', {});
  private readonly sections = new Map<string, LayerSection>();
  private trainingChart: uPlot | null = null;
  private trainingWidth = 0;
  private renderedFindings: unknown = null;
  private renderedDefinitions: unknown = undefined;
  private renderedWhatIf: unknown = null;
  private sectionOrder = '';
  private tableKey = '';
  private tableAt = 0;
  private tableRows: LayerRow[] | null = null;
  private tableTimer: ReturnType<typeof setTimeout> | null = null;
  /** Open sections off screen skip their chart updates (see LayerSection). */
  private readonly onScreen =
    typeof IntersectionObserver === 'undefined'
      ? null
      : new IntersectionObserver((entries) => {
          for (const e of entries)
            this.sections.get((e.target as HTMLElement).dataset.layer ?? '')?.setOnScreen(e.isIntersecting);
        });

  constructor(
    private readonly root: HTMLElement,
    private readonly post: (r: WebviewRequest) => void,
  ) {
    const analyze = el('vscode-button', { icon: 'pulse', 'data-action': 'analyze' }, 'Analyze');
    analyze.addEventListener('click', () => post(webviewRequest({ type: 'analyze' })));
    const stop = el('vscode-button', { secondary: '', icon: 'debug-stop', 'data-action': 'stop' }, 'Stop');
    stop.addEventListener('click', () => post(webviewRequest({ type: 'stop' })));
    const whatIf = el(
      'vscode-button',
      { secondary: '', icon: 'beaker', 'data-action': 'run-what-if' },
      'ELU what-if',
    );
    whatIf.addEventListener('click', () => post(webviewRequest({ type: 'run-what-if', layers: [] })));
    root.replaceChildren(
      el(
        'header',
        { class: 'run' },
        this.status,
        this.modelNote,
        el('div', { class: 'actions' }, analyze, stop, whatIf),
        this.progress,
      ),
      el('h2', {}, 'Overview'),
      this.overview.root,
      el('h2', {}, 'Findings'),
      this.findings,
      el('h2', {}, 'Layers'),
      this.table,
      el('h2', {}, 'Training'),
      this.training,
      this.whatIf,
      this.layers,
      this.definitions,
    );
  }

  render(s: DashboardState): void {
    // Read before anything is written: a read after writes forces a layout of the whole page.
    const width = Math.max(220, this.root.clientWidth - 24);
    this.status.textContent = statusText(s);
    this.status.dataset.status = s.status;
    this.root.dataset.status = s.status;
    if (this.renderedModel !== s.started?.model) {
      this.renderedModel = s.started?.model;
      const note = partialBanner(s.started?.model, this.post);
      this.modelNote.replaceChildren(...(note ? [note] : []));
    }
    const last = s.progress[s.progress.length - 1];
    this.progress.hidden = s.status !== 'running';
    if (last && last.totalSteps > 0)
      this.progress.setAttribute('value', String(Math.round((100 * last.step) / last.totalSteps)));
    else this.progress.setAttribute('indeterminate', '');

    if (this.renderedFindings !== s.findings) {
      this.renderedFindings = s.findings;
      this.findings.replaceChildren(
        ...(s.findings.length > 0
          ? s.findings.map((f) => findingCard(f, this.post))
          : [
              el(
                'p',
                { class: 'empty' },
                s.status === 'idle' ? 'Findings appear here as the run goes.' : 'No findings so far.',
              ),
            ]),
      );
    }

    const timelines = layerTimelines(s.probes);
    // A what-if run probes a second arm (the ELU variant) from the same seed: show it beside the first.
    const otherArm = comparisonArm(s.probes);
    const compare = otherArm !== undefined ? layerTimelines(s.probes, otherArm) : null;
    const summaries = new Map((s.started?.model.layers ?? []).map((l) => [l.name, l]));
    const rows: LayerRow[] = [...timelines.values()].map((t) => ({
      probe: t.latest,
      health: layerHealth(t.latest, s.findings, s.report?.config.deadThreshold),
    }));
    const sorted = sortBySeverity(rows);
    const severity = new Map(sorted.map((r, i) => [r.probe.layer, sorted.length - i]));
    const baseline = baselineArm(s.probes);
    this.overview.update(
      {
        steps: s.probes.filter((e) => e.arm === baseline).map((e) => e.step),
        layers: [...timelines.values()].map((t) => ({
          name: t.name,
          severity: severity.get(t.name) ?? 0,
          probes: t.probes,
        })),
      },
      width + 24,
    );
    this.renderTable(sorted);

    this.renderTraining(s, width);
    this.renderWhatIf(s);

    // Stale layers from a previous model go.
    for (const [name, section] of this.sections) {
      if (!timelines.has(name)) {
        this.onScreen?.unobserve(section.root);
        section.destroy();
        this.sections.delete(name);
      }
    }
    const openAll = timelines.size <= OPEN_SECTIONS_UP_TO;
    for (const row of sorted) {
      const name = row.probe.layer;
      let section = this.sections.get(name);
      if (!section) {
        section = new LayerSection(
          name,
          summaries.get(name),
          (layer) => this.post(webviewRequest({ type: 'go-to-layer', layer })),
          openAll,
        );
        this.sections.set(name, section);
        this.onScreen?.observe(section.root);
      }
      section.update(
        timelines.get(name) as NonNullable<ReturnType<typeof timelines.get>>,
        row.health,
        width,
        compare?.get(name) ?? null,
      );
    }
    // A few sections follow the table (worst first). A wide model's stay in model order: the
    // overview ranks them, and hundreds of sections re-sorted on every probe would jump under the
    // reader and re-lay out the page each time.
    const ordered = openAll ? sorted.map((r) => r.probe.layer) : [...timelines.keys()];
    const order = ordered.join('\n');
    if (order !== this.sectionOrder) {
      this.sectionOrder = order;
      this.layers.replaceChildren(...ordered.map((name) => this.sections.get(name)!.root));
    }

    const defs = s.started?.definitions ?? null;
    if (this.renderedDefinitions !== defs) {
      this.renderedDefinitions = defs;
      this.definitions.replaceChildren(definitionsPanel(defs));
    }
  }

  /**
   * The worst layers as a table. Its custom elements are costly to rebuild (each rebuild lays out
   * the page), so it is rebuilt only when what it shows changed, and at most once a second.
   */
  private renderTable(sorted: LayerRow[]): void {
    const listed = sorted.slice(0, TABLE_ROWS);
    const key = listed
      .map(({ probe: p, health }) =>
        [p.layer, health, p.units, p.dead.count, pct(p.dormant.fraction), signed(p.mean)].join(' '),
      )
      .join('\n');
    if (key === this.tableKey) return;
    const wait = this.tableAt + TABLE_INTERVAL_MS - Date.now();
    if (this.tableKey !== '' && wait > 0) {
      this.tableTimer ??= setTimeout(() => {
        this.tableTimer = null;
        if (this.tableRows) this.renderTable(this.tableRows);
      }, wait);
      this.tableRows = sorted;
      return;
    }
    this.tableKey = key;
    this.tableAt = Date.now();
    this.table.replaceChildren(
      ...(sorted.length > 0
        ? [
            layersTable(listed, (name) => this.focusLayer(name)),
            listed.length < sorted.length
              ? el(
                  'p',
                  { class: 'chart-note' },
                  `The ${listed.length} worst of ${sorted.length} layers; the overview shows them all.`,
                )
              : null,
          ].filter((n) => n !== null)
        : [el('p', { class: 'empty' }, 'No probes yet.')]),
    );
  }

  private renderTraining(s: DashboardState, width: number): void {
    const baseline = baselineArm(s.progress);
    const steps = s.progress.filter((p) => p.arm === baseline);
    if (!this.trainingChart || Math.abs(this.trainingWidth - width) > 4) {
      this.trainingChart?.destroy();
      this.training.replaceChildren();
      this.trainingWidth = width;
      this.trainingChart = lineChart(
        this.training,
        'Loss and accuracy',
        [
          { label: 'loss', color: 'orange' },
          { label: 'accuracy', color: 'green', scale: 'acc' },
          { label: 'val loss', color: 'red', dash: [4, 2] },
          { label: 'val acc', color: 'blue', scale: 'acc', dash: [4, 2] },
          { label: 'what-if loss', color: 'purple' },
        ],
        [[], [], [], [], [], []],
        width,
      );
    }
    const val = new Map(
      s.validation.filter((v) => v.arm === baselineArm(s.validation)).map((v) => [v.step, v]),
    );
    const otherArm = comparisonArm(s.progress);
    const other = new Map(
      s.progress.filter((p) => otherArm !== undefined && p.arm === otherArm).map((p) => [p.step, p]),
    );
    this.trainingChart.setData([
      steps.map((p) => p.step),
      steps.map((p) => p.loss),
      // NaN (no accuracy: a regression model) is a gap, not a point.
      steps.map((p) => (Number.isNaN(p.accuracy) ? null : p.accuracy)),
      steps.map((p) => val.get(p.step)?.valLoss ?? null),
      steps.map((p) => {
        const acc = val.get(p.step)?.valAccuracy;
        return acc === undefined || Number.isNaN(acc) ? null : acc;
      }),
      steps.map((p) => other.get(p.step)?.loss ?? null),
    ]);
    if (this.trainingChart.series[5]?.show !== other.size > 0)
      this.trainingChart.setSeries(5, { show: other.size > 0 });
  }

  private renderWhatIf(s: DashboardState): void {
    const w = s.report?.whatIf ?? null;
    if (this.renderedWhatIf === w) return;
    this.renderedWhatIf = w;
    if (!w) {
      this.whatIf.replaceChildren();
      return;
    }
    const table = el(
      'table',
      { class: 'what-if-table' },
      el(
        'tr',
        {},
        ...['arm', 'final loss', 'final acc', 'dead units', 'mean |act|', 'ms/step'].map((h) =>
          el('th', {}, h),
        ),
      ),
    );
    for (const arm of w.arms) {
      const t = arm.training;
      const dead = arm.final.reduce((n, l) => n + l.dead, 0);
      const meanAbs = arm.final.length ? arm.final.reduce((n, l) => n + l.meanAbs, 0) / arm.final.length : 0;
      table.append(
        el(
          'tr',
          {},
          el('td', {}, arm.name),
          el('td', {}, (t.loss[t.loss.length - 1] ?? NaN).toFixed(4)),
          el('td', {}, (t.accuracy[t.accuracy.length - 1] ?? NaN).toFixed(4)),
          el('td', {}, String(dead)),
          el('td', {}, signed(meanAbs, 3)),
          el('td', {}, arm.msPerStep.toFixed(1)),
        ),
      );
    }
    this.whatIf.replaceChildren(
      el('h2', {}, 'ELU what-if'),
      el('p', { class: `verdict helps-${String(w.verdict.helps)}` }, w.verdict.summary),
      table,
      el('ul', {}, ...w.verdict.details.map((d) => el('li', {}, d))),
    );
  }

  /**
   * Opens `layer`'s section, scrolls to it and marks its overview row. The host's `focus-layer`
   * message (lenses, Problems) lands here. False when no probe of that layer has arrived yet.
   */
  focusLayer(layer: string): boolean {
    const section = this.sections.get(layer);
    if (!section) return false;
    section.setOpen(true);
    section.root.scrollIntoView({ behavior: 'smooth', block: 'start' });
    this.overview.select(layer);
    return true;
  }
}
