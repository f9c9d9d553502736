/**
 * The dashboard's DOM: a status header, finding cards, the layers table, training curves, what-if
 * results and one section per tapped layer. Regions are built once and updated in place.
 */
import type uPlot from 'uplot';
import { webviewRequest, type DashboardState, type WebviewRequest } from '../src/protocol';
import { baselineArm, comparisonArm, layerTimelines } from '../src/dashboard-state';
import { layerHealth, sortBySeverity, type LayerRow } from './layer-health';
import { LayerSection } from './layer-section';
import { findingCard } from './finding-cards';
import { layersTable } from './layers-table';
import { definitionsPanel } from './definitions-panel';
import { statusText } from './status-header';
import { lineChart } from './charts';
import { el, signed } from './dom';

export class Dashboard {
  private readonly status = el('p', { id: 'status', role: 'status' });
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
        el('div', { class: 'actions' }, analyze, stop, whatIf),
        this.progress,
      ),
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
    this.status.textContent = statusText(s);
    this.status.dataset.status = s.status;
    this.root.dataset.status = s.status;
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
    this.table.replaceChildren(
      sorted.length > 0
        ? layersTable(sorted, (name) => this.reveal(name))
        : el('p', { class: 'empty' }, 'No probes yet.'),
    );

    const width = Math.max(220, this.root.clientWidth - 24);
    this.renderTraining(s, width);
    this.renderWhatIf(s);

    // Sections follow the table's order (worst first); stale layers from a previous model go.
    for (const [name, section] of this.sections) {
      if (!timelines.has(name)) {
        section.destroy();
        this.sections.delete(name);
      }
    }
    for (const row of sorted) {
      const name = row.probe.layer;
      let section = this.sections.get(name);
      if (!section) {
        section = new LayerSection(name, summaries.get(name), (layer) =>
          this.post(webviewRequest({ type: 'go-to-layer', layer })),
        );
        this.sections.set(name, section);
      }
      this.layers.append(section.root);
      section.update(
        timelines.get(name) as NonNullable<ReturnType<typeof timelines.get>>,
        row.health,
        width,
        compare?.get(name) ?? null,
      );
    }

    const defs = s.started?.definitions ?? null;
    if (this.renderedDefinitions !== defs) {
      this.renderedDefinitions = defs;
      this.definitions.replaceChildren(definitionsPanel(defs));
    }
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
      steps.map((p) => p.accuracy),
      steps.map((p) => val.get(p.step)?.valLoss ?? null),
      steps.map((p) => val.get(p.step)?.valAccuracy ?? null),
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

  private reveal(layer: string): void {
    this.sections.get(layer)?.root.scrollIntoView({ behavior: 'smooth', block: 'start' });
  }
}
