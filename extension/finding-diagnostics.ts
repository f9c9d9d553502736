/**
 * Findings with a source location → Problems entries on the layer's line. Each diagnostic remembers
 * its layer; when the file is re-parsed it follows the layer to its new line, and is dropped once
 * the layer is gone or no longer has the activation the finding was about (e.g. after the ELU fix).
 * A finding of a live run names its layer by module path (`layer1.0.relu`): its parsed layer is the
 * one its source line defines (extension/live-layers.ts), and that one is followed from then on.
 */
import * as vscode from 'vscode';
import type { Finding } from '../src/protocol';
import type { LayerSpec, ModelSpec } from '../src/model/spec';
import { specLayerAt } from './live-layers';
import { appendTestRecord } from './test-log';
import { showLayerUri } from './show-layer-link';

export const DIAGNOSTIC_SOURCE = 'Activation Lens';

interface Tracked {
  finding: Finding;
  /** The layer's activation when the finding was made; undefined when its file was not parsed yet. */
  activation: string | null | undefined;
  /** The parsed layer the finding is about, once known (for a live run, found by its line). */
  parsedName: string | null;
}

/** The parsed layer a finding is about: the one of its name, else the one its line defines. */
function parsedLayer(spec: ModelSpec, finding: Finding, knownName: string | null): LayerSpec | undefined {
  const name = knownName ?? finding.layer;
  const byName = spec.layers.find((l) => l.name === name);
  if (byName || knownName !== null || !finding.source) return byName;
  return specLayerAt(spec, finding.source) ?? undefined;
}

export function severityOf(finding: Finding): vscode.DiagnosticSeverity {
  if (finding.severity === 'error') return vscode.DiagnosticSeverity.Error;
  return finding.severity === 'warning'
    ? vscode.DiagnosticSeverity.Warning
    : vscode.DiagnosticSeverity.Information;
}

export class FindingDiagnostics implements vscode.Disposable {
  private readonly tracked = new Map<string, Tracked[]>();

  constructor(private readonly collection: vscode.DiagnosticCollection) {}

  /**
   * Replaces all diagnostics with the findings of one run. `specFor` gives the parsed spec of a file
   * (or null), to record which activation each finding was about.
   */
  setFindings(findings: readonly Finding[], specFor: (file: string) => ModelSpec | null): void {
    this.collection.clear();
    this.tracked.clear();
    for (const finding of findings) {
      if (!finding.source) continue;
      const spec = specFor(finding.source.file);
      const layer = finding.layer && spec ? parsedLayer(spec, finding, null) : undefined;
      const list = this.tracked.get(finding.source.file) ?? [];
      list.push({
        finding,
        activation: spec ? (layer?.activation ?? null) : undefined,
        parsedName: layer?.name ?? null,
      });
      this.tracked.set(finding.source.file, list);
    }
    for (const file of this.tracked.keys()) this.publish(file);
  }

  /** After a re-parse: move diagnostics with their layers, drop the ones that no longer apply. */
  onParsed(file: string, spec: ModelSpec | null): void {
    const list = this.tracked.get(file);
    // A half-typed file that does not parse keeps its diagnostics until it parses again.
    if (!list || !spec) return;
    const kept: Tracked[] = [];
    for (const t of list) {
      if (!t.finding.layer) {
        kept.push(t);
        continue;
      }
      const layer = parsedLayer(spec, t.finding, t.parsedName);
      if (!layer?.source || (t.activation !== undefined && layer.activation !== t.activation)) continue;
      kept.push({
        activation: layer.activation,
        parsedName: layer.name,
        finding: { ...t.finding, source: { file, line: layer.source.line, column: layer.source.column } },
      });
    }
    this.tracked.set(file, kept);
    this.publish(file);
  }

  /** The layers whose findings sit on `line` (0-based) of `file`: the Problems entries' layers. */
  layersAt(file: string, line: number): string[] {
    const layers = (this.tracked.get(file) ?? [])
      .filter((t) => t.finding.layer && (t.finding.source?.line ?? 0) - 1 === line)
      .map((t) => t.finding.layer as string);
    return [...new Set(layers)];
  }

  clear(): void {
    this.collection.clear();
    this.tracked.clear();
  }

  private publish(file: string): void {
    const list = this.tracked.get(file) ?? [];
    const diagnostics = list.map(({ finding }) => {
      const line = Math.max(0, (finding.source?.line ?? 1) - 1);
      const col = Math.max(0, (finding.source?.column ?? 1) - 1);
      const d = new vscode.Diagnostic(
        new vscode.Range(line, col, line, Number.MAX_SAFE_INTEGER),
        finding.message,
        severityOf(finding),
      );
      d.source = DIAGNOSTIC_SOURCE;
      // The kind, as a link that opens the layer in the dashboard (extension/show-layer-actions.ts).
      d.code = finding.layer ? { value: finding.kind, target: showLayerUri(finding.layer) } : finding.kind;
      return d;
    });
    this.collection.set(vscode.Uri.file(file), diagnostics);
    appendTestRecord({
      kind: 'diagnostics',
      file,
      items: diagnostics.map((d, i) => ({
        line: d.range.start.line + 1,
        code: list[i]!.finding.kind,
        message: d.message,
      })),
    });
  }

  dispose(): void {
    this.collection.dispose();
  }
}
