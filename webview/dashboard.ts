/**
 * The dashboard's DOM, in one of two layouts. The editor tab (`full`) has everything: a status
 * header, the model overview, finding cards, the layers table, training curves, what-if results
 * and one section per tapped layer. The sidebar (`compact`) keeps a summary — status, the overview
 * and the top findings — and opens the editor tab for the rest. Regions are built once and updated
 * in place. A model with many layers opens its sections on demand (from the overview, the table or
 * a section's header), so a 200-layer run draws only what is being looked at. Another run can be
 * drawn behind this one as ghost lines (a comparison); a read-only dashboard (an exported report)
 * has no control that would talk to a host.
 */
import type uPlot from 'uplot';
import {
  webviewRequest,
  type DashboardState,
  type RunComparison,
  type RunView,
  type WebviewRequest,
} from '../src/protocol';
import { baselineArm, comparisonArm, layerTimelines } from '../src/dashboard-state';
import { layerHealth, sortBySeverity, type LayerRow } from './layer-health';
import { LayerSection } from './layer-section';
import { ModelOverview } from './model-overview';
import { findingCard, type CardActions } from './finding-cards';
import { layersTable } from './layers-table';
import { definitionsPanel } from './definitions-panel';
import { statusText } from './status-header';
import { partialBanner } from './partial-banner';
import { GHOST_DASH, lineChart, showSeries } from './charts';
import { onUnionOfSteps, stepSeries, thinPoints } from './ghost-series';
import { actionButton, el, pct, signed } from './dom';

/** Models with at most this many tapped layers open every section; wider ones open on demand. */
export const OPEN_SECTIONS_UP_TO = 8;
/** The layers table lists at most this many, worst first; the overview shows every layer. */
export const TABLE_ROWS = 12;
/** Findings the sidebar's summary shows (worst first, as the advisor orders them). */
export const COMPACT_FINDINGS = 3;
/** Points of a compared run's loss drawn (its report has one per step). */
const GHOST_POINTS = 2000;
const TABLE_INTERVAL_MS = 1000;

export type DashboardLayout = 'compact' | 'full';

export interface DashboardOptions {
  layout: DashboardLayout;
  /** An exported report: nothing to post to, so no button that would. */
  readOnly: boolean;
}

export class Dashboard {
  private readonly full: boolean;
  private readonly readOnly: boolean;
  private readonly overview = new ModelOverview((layer) => this.openLayer(layer));
  /** Which run is shown (a saved one?) and what it is compared with; with a Clear button. */
  private readonly banner = el('div', { class: 'run-view', hidden: '' });
  private view: RunView = { saved: null, comparison: null };
  private bannerKey = '';
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
    options: DashboardOptions = { layout: 'full', readOnly: false },
  ) {
    this.full = options.layout === 'full';
    this.readOnly = options.readOnly;
    root.dataset.layout = options.layout;
    const actions = this.readOnly
      ? []
      : [
          actionButton('Analyze', 'pulse', 'analyze', false, () => post(webviewRequest({ type: 'analyze' }))),
          actionButton('Stop', 'debug-stop', 'stop', true, () => post(webviewRequest({ type: 'stop' }))),
          ...(this.full
            ? [
                actionButton('ELU what-if', 'beaker', 'run-what-if', true, () =>
                  post(webviewRequest({ type: 'run-what-if', layers: [] })),
                ),
                actionButton('Compare with previous run', 'history', 'compare-previous', true, () =>
                  post(webviewRequest({ type: 'compare-previous' })),
                ),
              ]
            : [
                actionButton('Open in editor', 'open-preview', 'open-in-editor', true, () =>
                  post(webviewRequest({ type: 'open-in-editor', layer: null })),
                ),
              ]),
        ];
    root.replaceChildren(
      el(
        'header',
        { class: 'run' },
        this.status,
        this.modelNote,
        actions.length > 0 ? el('div', { class: 'actions' }, ...actions) : null,
        this.progress,
      ),
      this.banner,
      el('h2', {}, 'Overview'),
      this.overview.root,
      el('h2', {}, 'Findings'),
      this.findings,
      ...(this.full
        ? [
            el('h2', {}, 'Layers'),
            this.table,
            el('h2', {}, 'Training'),
            this.training,
            this.whatIf,
            this.layers,
            this.definitions,
          ]
        : []),
    );
  }

  /** Which run the host shows and what it is compared with (ghost lines in the trend charts). */
  setRunView(view: RunView): void {
    this.view = view;
    // Charts redraw with the new ghost series on the next render.
    this.trainingChart?.destroy();
    this.trainingChart = null;
  }

  private cardActions(): CardActions | null {
    if (this.readOnly) return null;
    return { post: this.post, showLayer: (layer) => this.openLayer(layer) };
  }

  /** The overview's rows and the cards' "Show layer": the detail here, or the editor tab from the sidebar. */
  private openLayer(layer: string): void {
    if (this.full) this.focusLayer(layer);
    else if (!this.readOnly) this.post(webviewRequest({ type: 'open-in-editor', layer }));
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

    this.renderBanner(s);
    if (this.renderedFindings !== s.findings) {
      this.renderedFindings = s.findings;
      const shown = this.full ? s.findings : s.findings.slice(0, COMPACT_FINDINGS);
      const more = s.findings.length - shown.length;
      const link =
        more > 0 ? this.moreLink(`${more} more finding${more === 1 ? '' : 's'} in the full dashboard`) : null;
      this.findings.replaceChildren(
        ...(s.findings.length > 0
          ? shown.map((f) => findingCard(f, this.cardActions(), !this.full))
          : [
              el(
                'p',
                { class: 'empty' },
                s.status === 'idle' ? 'Findings appear here as the run goes.' : 'No findings so far.',
              ),
            ]),
        ...(link ? [link] : []),
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
    if (!this.full) return;
    this.renderTable(sorted);

    this.renderTraining(s, width);
    this.renderWhatIf(s);
    const ghosts = new Map((this.view.comparison?.layers ?? []).map((l) => [l.name, l]));

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
          this.readOnly ? null : (layer) => this.post(webviewRequest({ type: 'go-to-layer', layer })),
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
        ghosts.get(name) ?? null,
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
          { label: 'accuracy', color: 'blue', scale: 'acc' },
          { label: 'val loss', color: 'red', dash: [4, 2] },
          { label: 'val acc', color: 'green', scale: 'acc', dash: [4, 2] },
          { label: 'what-if loss', color: 'purple' },
          { label: 'compared loss', color: 'ghost', dash: GHOST_DASH },
          { label: 'compared acc', color: 'ghost', scale: 'acc', dash: [6, 3, 1, 3] },
        ],
        [[], [], [], [], [], [], [], []],
        width,
      );
    }
    const validation = s.validation.filter((v) => v.arm === baselineArm(s.validation));
    const otherArm = comparisonArm(s.progress);
    const other = otherArm !== undefined ? s.progress.filter((p) => p.arm === otherArm) : [];
    const ghost = ghostTraining(this.view.comparison);
    const step = (p: { step: number }) => p.step;
    const { steps: xs, values } = onUnionOfSteps([
      stepSeries(steps, step, (p) => p.loss),
      stepSeries(steps, step, (p) => p.accuracy),
      stepSeries(validation, step, (v) => v.valLoss),
      stepSeries(validation, step, (v) => v.valAccuracy),
      other.length > 0 ? stepSeries(other, step, (p) => p.loss) : null,
      ghost?.loss ?? null,
      ghost?.accuracy ?? null,
    ]);
    this.trainingChart.setData([xs, ...values]);
    showSeries(this.trainingChart, [
      [5, other.length > 0],
      [6, !!ghost],
      [7, !!ghost],
    ]);
    this.training.dataset.ghost = String(!!ghost);
  }

  /** "Saved run: …", "Ghost lines: …", "Exported report …": what is shown, said above the overview. */
  private renderBanner(s: DashboardState): void {
    const { saved, comparison } = this.view;
    const exported =
      this.readOnly && s.report ? `Exported report of a run from ${s.report.createdAt} · read-only` : null;
    const key = [saved, comparison?.label, exported].join('\n');
    if (key === this.bannerKey) return;
    this.bannerKey = key;
    const lines: (HTMLElement | null)[] = [
      exported ? el('p', { class: 'exported' }, exported) : null,
      saved ? el('p', { class: 'saved-run' }, `Saved run: ${saved}`) : null,
      comparison
        ? el(
            'p',
            { class: 'comparison' },
            el('span', { class: 'ghost-key', 'aria-hidden': 'true' }),
            `Ghost lines (dotted): ${comparison.label}`,
            this.readOnly
              ? null
              : (() => {
                  const clear = el(
                    'button',
                    { type: 'button', class: 'link-button', 'data-action': 'clear-comparison' },
                    'Clear',
                  );
                  clear.addEventListener('click', () =>
                    this.post(webviewRequest({ type: 'clear-comparison' })),
                  );
                  return clear;
                })(),
          )
        : null,
    ];
    const shown = lines.filter((l) => l !== null);
    this.banner.replaceChildren(...shown);
    this.banner.hidden = shown.length === 0;
    this.root.dataset.compare = comparison ? comparison.label : '';
  }

  /** The sidebar's way to the rest: a link that opens the editor tab. */
  private moreLink(text: string): HTMLElement | null {
    if (this.readOnly) return null;
    const a = el('a', { href: '#', class: 'more-link' }, text);
    a.addEventListener('click', (e) => {
      e.preventDefault();
      this.post(webviewRequest({ type: 'open-in-editor', layer: null }));
    });
    return el('p', {}, a);
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
   * message (lenses, Problems) lands here with `moveFocus`: the keyboard goes on from the section's
   * header. From the overview the focus stays there, to go on through the rows. False when no probe
   * of that layer has arrived yet.
   */
  focusLayer(layer: string, moveFocus = false): boolean {
    if (!this.full) {
      // The summary has no sections: mark the row; its Enter opens the editor tab.
      this.overview.select(layer);
      this.overview.root.scrollIntoView({ block: 'nearest' });
      return this.overview.rowOrder().includes(layer);
    }
    const section = this.sections.get(layer);
    if (!section) return false;
    section.setOpen(true);
    section.root.scrollIntoView({ behavior: 'smooth', block: 'start' });
    if (moveFocus) section.focusHeader();
    this.overview.select(layer);
    return true;
  }
}

/** A compared run's loss and accuracy by step (its report's: one per step, thinned for drawing). */
function ghostTraining(c: RunComparison | null) {
  if (!c || c.training.loss.length === 0) return null;
  const t = c.training;
  const at = thinPoints(
    t.loss.map((_, i) => i),
    GHOST_POINTS,
  );
  return {
    loss: stepSeries(
      at,
      (i) => i + 1,
      (i) => t.loss[i]!,
    ),
    accuracy: stepSeries(
      at,
      (i) => i + 1,
      (i) => t.accuracy[i] ?? NaN,
    ),
  };
}
