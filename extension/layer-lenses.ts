/**
 * Code lenses on every layer definition with a ReLU-family activation, from the parse result.
 * Before a run: "▶ Analyze activations". During and after a run on this file: the layer's latest
 * probe numbers, plus "Switch to ELU" where that applies. A definition that builds several runtime
 * layers (a block used 8 times) gets one lens for all of them ("relu ×8 …"); a file that defines
 * several models gets "▶ Analyze <name>" on each model's definition. A live run's layers are found
 * by the line that defines them (extension/live-layers.ts), so its lenses need no parse at all — the
 * parse adds the quick fix.
 */
import * as vscode from 'vscode';
import type { DashboardState, LayerProbe, LayerSummary } from '../src/protocol';
import { isRectifierFamily, isSwitchableToElu } from '../src/model/activation-families';
import { layerTimelines, type LayerTimeline } from '../src/dashboard-state';
import {
  ANALYZE_LENS_TITLE,
  SWITCH_LENS_TITLE,
  WAITING_LENS_TITLE,
  analyzeModelLensTitle,
  instancesLensTitle,
  layerLensTitle,
} from './lens-text';
import type { ModelDocuments } from './model-documents';
import type { LayerSpec, ModelSpec } from '../src/model/spec';
import { liveLayersByLine, sameFile, specLayerAt } from './live-layers';

export { sameFile };
import { appendTestRecord } from './test-log';

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
    // A run of another model of this file (chosen with the quick pick or its lens): its layers, not
    // the parse's default model's, own the numbers — same names could be different layers.
    const runModel = runOnThisFile ? state.started!.model : null;
    const otherModel =
      runModel !== null &&
      runModel.name !== spec.name &&
      (spec.alternatives ?? []).some((a) => a.name === runModel.name);
    const layers: LensLayer[] = otherModel
      ? runModel.layers.map((l) => ({ name: l.name, activation: l.activation, source: l.source }))
      : spec.layers;
    const lenses: vscode.CodeLens[] = modelLenses(document, spec);
    for (const group of byDefinition(layers)) {
      const first = group[0]!;
      const src = first.source!;
      const at = new vscode.Range(
        src.line - 1,
        Math.max(0, src.column - 1),
        src.line - 1,
        Math.max(0, src.column - 1),
      );
      const count = Math.max(group.length, ...group.map((l) => l.sourceInstances?.count ?? 1));
      const probed = group.flatMap((l) => {
        const t = timelines.get(l.name);
        return t ? [{ layer: l.name, first: t.first, latest: t.latest }] : [];
      });
      const label = count > 1 ? `${first.activation ?? 'linear'} ×${count}` : first.name;
      if (probed.length === 0 && runOnThisFile && state.status === 'running') {
        // Clicking "Analyze" now would restart the run; show where the numbers will come from instead.
        lenses.push(
          new vscode.CodeLens(at, {
            title: `${label} · ${WAITING_LENS_TITLE}`,
            command: 'activationLens.openDashboard',
            arguments: [first.name],
          }),
        );
        continue;
      }
      if (probed.length === 0) {
        lenses.push(
          new vscode.CodeLens(at, {
            title: ANALYZE_LENS_TITLE,
            command: 'activationLens.analyze',
            arguments: [document.uri],
          }),
        );
        continue;
      }
      const worst = probed.reduce((w, t) => (deadShare(t.latest) > deadShare(w.latest) ? t : w));
      lenses.push(
        new vscode.CodeLens(at, {
          title:
            count > 1
              ? instancesLensTitle(first.activation, count, probed)
              : layerLensTitle(first.name, first.activation, probed[0]!.first, probed[0]!.latest),
          tooltip:
            count > 1
              ? `This line builds ${count} layers; open the dashboard at the worst (${worst.layer})`
              : 'Open the dashboard at this layer',
          command: 'activationLens.openDashboard',
          arguments: [worst.layer],
        }),
      );
      if (!otherModel && isSwitchableToElu(first.activation)) {
        lenses.push(
          new vscode.CodeLens(at, {
            title: SWITCH_LENS_TITLE,
            tooltip:
              count > 1
                ? `Rewrite this activation as ELU, with He initialisation (all ${count} layers it builds)`
                : 'Rewrite this activation as ELU, with He initialisation',
            command: 'activationLens.applyEluFix',
            arguments: [document.uri, first.name],
          }),
        );
      }
    }
    return this.record(document, lenses);
  }

  /**
   * A live run's lenses: one per line that defines live layers, with the numbers of all the layers
   * there (a block's `self.relu` applied in 8 blocks is 8 live layers on one line: "relu ×8 …").
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
      const probed = layers.flatMap((l) => {
        const t = timelines.get(l.name);
        return t ? [{ layer: l.name, first: t.first, latest: t.latest }] : [];
      });
      const worst = worstOf(layers, timelines);
      if (!worst) {
        const label = layers.length > 1 ? `${first.activation ?? 'linear'} ×${layers.length}` : first.name;
        lenses.push(
          new vscode.CodeLens(at, {
            title: `${label} · ${state.status === 'running' ? WAITING_LENS_TITLE : 'not probed'}`,
            command: 'activationLens.openDashboard',
            arguments: [first.name],
          }),
        );
        continue;
      }
      lenses.push(
        new vscode.CodeLens(at, {
          title:
            layers.length > 1
              ? instancesLensTitle(first.activation, layers.length, probed)
              : layerLensTitle(
                  worst.layer.name,
                  worst.layer.activation,
                  worst.timeline.first,
                  worst.timeline.latest,
                ),
          tooltip:
            layers.length > 1
              ? `This line is applied as ${layers.length} layers; open the dashboard at the worst (${worst.layer.name})`
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

/** What a lens needs of a layer: from the parse (LayerSpec) or from a run's model summary. */
type LensLayer = Pick<LayerSpec, 'name' | 'activation' | 'sourceInstances'> & {
  source: { line: number; column: number } | null;
};

/**
 * The rectifier-family layers grouped by the definition that builds them (line, column and
 * activation), in source order: one lens per definition, however many runtime layers it builds.
 */
function byDefinition(layers: readonly LensLayer[]): LensLayer[][] {
  const groups = new Map<string, LensLayer[]>();
  for (const layer of layers) {
    if (!layer.source || !isRectifierFamily(layer.activation)) continue;
    const key = `${layer.source.line}:${layer.source.column}:${layer.activation}`;
    const group = groups.get(key);
    if (group) group.push(layer);
    else groups.set(key, [layer]);
  }
  return [...groups.values()];
}

/** Dead share, or saturated share for the families that saturate instead of dying. */
function deadShare(p: LayerProbe): number {
  return (p.saturated ?? p.dead).fraction;
}

/**
 * "▶ Analyze <name>" on the definition line of each model, when the file defines several: the lens
 * analyses that one (the quick pick is skipped).
 */
function modelLenses(document: vscode.TextDocument, spec: ModelSpec): vscode.CodeLens[] {
  const others = spec.alternatives ?? [];
  if (others.length === 0) return [];
  const models = [...(spec.definition ? [{ name: spec.name, ...spec.definition }] : []), ...others].sort(
    (a, b) => a.line - b.line,
  );
  return models.map((m) => {
    const at = new vscode.Range(m.line - 1, Math.max(0, m.column - 1), m.line - 1, Math.max(0, m.column - 1));
    return new vscode.CodeLens(at, {
      title: analyzeModelLensTitle(m.name),
      tooltip: `This file defines ${models.length} models: analyze ${m.name}`,
      command: 'activationLens.analyze',
      arguments: [document.uri, m.name],
    });
  });
}

/** The live layer on a line whose latest probe looks worst: the most dead (or saturated) units. */
function worstOf(
  layers: LayerSummary[],
  timelines: Map<string, LayerTimeline>,
): { layer: LayerSummary; timeline: LayerTimeline } | null {
  let worst: { layer: LayerSummary; timeline: LayerTimeline } | null = null;
  for (const layer of layers) {
    const timeline = timelines.get(layer.name);
    if (timeline && (!worst || deadShare(timeline.latest) > deadShare(worst.timeline.latest)))
      worst = { layer, timeline };
  }
  return worst;
}
