/**
 * Code lenses on every layer definition with a ReLU-family activation, from the parse result.
 * Before a run: "▶ Analyze activations". During and after a run on this file: the layer's latest
 * probe numbers, plus "Switch to ELU" where that applies.
 */
import * as vscode from 'vscode';
import type { DashboardState } from '../src/protocol';
import { isRectifierFamily, isSwitchableToElu } from '../src/model/activation-families';
import { layerTimelines } from '../src/dashboard-state';
import { ANALYZE_LENS_TITLE, SWITCH_LENS_TITLE, WAITING_LENS_TITLE, layerLensTitle } from './lens-text';
import type { ModelDocuments } from './model-documents';
import type { ModelSpec } from '../src/model/spec';
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
    if (!spec) return [];
    const state = this.run.state;
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

/** Paths from the engine and from VS Code may differ in case (Windows) or separators. */
export function sameFile(a: string, b: string): boolean {
  const norm = (p: string) => p.replace(/\\/g, '/').replace(/\/+$/, '');
  return process.platform === 'win32' ? norm(a).toLowerCase() === norm(b).toLowerCase() : norm(a) === norm(b);
}
