/**
 * Code lenses on every layer definition with a ReLU-family activation, from the parse result.
 * Before a run: "▶ Analyze activations". During and after a run on this file: the layer's latest
 * probe numbers, plus "Switch to ELU" where that applies. A live run's layers are found by the line
 * that defines them (extension/live-layers.ts), so its lenses need no parse at all — the parse adds
 * the quick fix.
 */
import * as vscode from 'vscode';
import type { DashboardState, LayerProbe, LayerSummary } from '../src/protocol';
import { isRectifierFamily, isSwitchableToElu } from '../src/model/activation-families';
import { layerTimelines, type LayerTimeline } from '../src/dashboard-state';
import { ANALYZE_LENS_TITLE, SWITCH_LENS_TITLE, WAITING_LENS_TITLE, layerLensTitle } from './lens-text';
import type { ModelDocuments } from './model-documents';
import type { ModelSpec } from '../src/model/spec';
import { appendTestRecord } from './test-log';
import { liveLayersByLine, sameFile, specLayerAt } from './live-layers';

export { sameFile };

/**
 * How long a lens request waits for a parse under way. VS Code shows no lens of any extension for a
 * document until every provider answered, so past this the provider answers with none and asks
 * VS Code to come back when the parse lands (onDidParse → refresh).
 */
export const LENS_WAIT_MS = 750;

/** What the lenses need from the current run. */
export interface RunStateSource {
  readonly state: DashboardState;
  readonly onDidChangeState: vscode.Event<void>;
}

export class LayerLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly subscriptions: vscode.Disposable[];
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(
    private readonly documents: ModelDocuments,
    private readonly run: RunStateSource,
    private readonly enabled: () => boolean,
  ) {
    this.subscriptions = [
      run.onDidChangeState(() => this.refresh()),
      documents.onDidParse(() => this.refresh()),
    ];
  }

  refresh(): void {
    this.changed.fire();
  }

  /**
   * Never blocks: the lenses of the parse of this version when it is in, else a promise that waits
   * at most LENS_WAIT_MS for the parse (in the parser process) to land.
   */
  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] | Promise<vscode.CodeLens[]> {
    if (!this.enabled()) return [];
    const known = this.documents.known(document);
    if (known !== undefined) return this.lensesFor(document, known);
    return this.documents
      .getWithin(document, LENS_WAIT_MS)
      .then((spec) => (spec === undefined ? [] : this.lensesFor(document, spec)));
  }

  private lensesFor(document: vscode.TextDocument, spec: ModelSpec | null): vscode.CodeLens[] {
    const state = this.run.state;
    const live = liveLayersByLine(state, document.uri.fsPath);
    if (live.size > 0) return this.record(document, this.liveLenses(document, spec, state, live));
    if (!spec) return [];
    const runOnThisFile =
      state.started?.model.file != null && sameFile(state.started.model.file, document.uri.fsPath);
    const timelines = runOnThisFile ? layerTimelines(state.probes) : new Map();
    const lenses: vscode.CodeLens[] = [];
    for (const layer of spec.layers) {
      const src = layer.source;
      if (!src || !isRectifierFamily(layer.activation)) continue;
      const at = new vscode.Range(
        src.line - 1,
        Math.max(0, src.column - 1),
        src.line - 1,
        Math.max(0, src.column - 1),
      );
      const timeline = timelines.get(layer.name);
      if (!timeline && runOnThisFile && state.status === 'running') {
        // Clicking "Analyze" now would restart the run; show where the numbers will come from instead.
        lenses.push(
          new vscode.CodeLens(at, {
            title: `${layer.name} · ${WAITING_LENS_TITLE}`,
            command: 'activationLens.openDashboard',
            arguments: [layer.name],
          }),
        );
        continue;
      }
      if (!timeline) {
        lenses.push(
          new vscode.CodeLens(at, {
            title: ANALYZE_LENS_TITLE,
            command: 'activationLens.analyze',
            arguments: [document.uri],
          }),
        );
        continue;
      }
      lenses.push(
        new vscode.CodeLens(at, {
          title: layerLensTitle(layer.name, layer.activation, timeline.first, timeline.latest),
          tooltip: 'Open the dashboard at this layer',
          command: 'activationLens.openDashboard',
          arguments: [layer.name],
        }),
      );
      if (isSwitchableToElu(layer.activation)) {
        lenses.push(
          new vscode.CodeLens(at, {
            title: SWITCH_LENS_TITLE,
            tooltip: 'Rewrite this activation as ELU, with He initialisation',
            command: 'activationLens.applyEluFix',
            arguments: [document.uri, layer.name],
          }),
        );
      }
    }
    return this.record(document, lenses);
  }

  /**
   * A live run's lenses: one per line that defines live layers, with the numbers of the layer
   * there that looks worst (a block's `self.relu` applied in 8 blocks is 8 live layers on one line).
   */
  private liveLenses(
    document: vscode.TextDocument,
    spec: ModelSpec | null,
    state: DashboardState,
    byLine: Map<number, LayerSummary[]>,
  ): vscode.CodeLens[] {
    const timelines = layerTimelines(state.probes);
    const lenses: vscode.CodeLens[] = [];
    for (const [line, all] of [...byLine].sort((a, b) => a[0] - b[0])) {
      const layers = all.filter((l) => isRectifierFamily(l.activation));
      const first = layers[0];
      if (!first?.source) continue;
      const col = Math.max(0, first.source.column - 1);
      const at = new vscode.Range(line - 1, col, line - 1, col);
      const more = layers.length > 1 ? ` (+${layers.length - 1} more)` : '';
      const worst = worstOf(layers, timelines);
      if (!worst) {
        lenses.push(
          new vscode.CodeLens(at, {
            title: `${first.name}${more} · ${state.status === 'running' ? WAITING_LENS_TITLE : 'not probed'}`,
            command: 'activationLens.openDashboard',
            arguments: [first.name],
          }),
        );
        continue;
      }
      lenses.push(
        new vscode.CodeLens(at, {
          title: `${layerLensTitle(worst.layer.name, worst.layer.activation, worst.timeline.first, worst.timeline.latest)}${more}`,
          tooltip:
            layers.length > 1
              ? `${layers.map((l) => l.name).join(', ')}: the worst shown`
              : 'Open the dashboard at this layer',
          command: 'activationLens.openDashboard',
          arguments: [worst.layer.name],
        }),
      );
      const parsed = spec ? specLayerAt(spec, first.source) : null;
      if (parsed && isSwitchableToElu(parsed.activation)) {
        lenses.push(
          new vscode.CodeLens(at, {
            title: SWITCH_LENS_TITLE,
            tooltip: 'Rewrite this activation as ELU, with He initialisation',
            command: 'activationLens.applyEluFix',
            arguments: [document.uri, parsed.name],
          }),
        );
      }
    }
    return lenses;
  }

  private record(document: vscode.TextDocument, lenses: vscode.CodeLens[]): vscode.CodeLens[] {
    appendTestRecord({
      kind: 'lenses',
      file: document.uri.fsPath,
      titles: lenses.map((l) => l.command?.title ?? ''),
    });
    return lenses;
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
  }
}

/** The live layer on a line whose latest probe looks worst: the most dead (or saturated) units. */
function worstOf(
  layers: LayerSummary[],
  timelines: Map<string, LayerTimeline>,
): { layer: LayerSummary; timeline: LayerTimeline } | null {
  let worst: { layer: LayerSummary; timeline: LayerTimeline } | null = null;
  const badness = (p: LayerProbe) => Math.max(p.dead.fraction, p.saturated?.fraction ?? 0);
  for (const layer of layers) {
    const timeline = timelines.get(layer.name);
    if (timeline && (!worst || badness(timeline.latest) > badness(worst.timeline.latest)))
      worst = { layer, timeline };
  }
  return worst;
}
