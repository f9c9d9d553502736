/**
 * A live run names its layers by module path or call site (`layer1.0.relu`, `Net.forward:42:relu`),
 * not by the names the source reader gives the same layers (`relu`, `dense_1`), and one definition
 * can be applied many times (a block's `self.relu` in every block). What the two share is the line
 * that defines the layer: the taps send each layer's `source` (file, line, column of the constructor
 * call), the reader records the same for its layers. So lenses, Problems entries and the ELU quick
 * fix find a live layer's parsed layer by its line — for an engine run the names match as before.
 */
import type { DashboardState, LayerSummary, SourceRef } from '../src/protocol';
import type { LayerSpec, ModelSpec } from '../src/model/spec';

/** Paths from the taps and from VS Code may differ in case (Windows) or separators. */
export function sameFile(a: string, b: string): boolean {
  const norm = (p: string) => p.replace(/\\/g, '/').replace(/\/+$/, '');
  return process.platform === 'win32' ? norm(a).toLowerCase() === norm(b).toLowerCase() : norm(a) === norm(b);
}

export function isLiveRun(state: DashboardState): boolean {
  return state.started?.origin === 'live';
}

/** The live run's layers (as run-started and the report list them). */
function liveSummaries(state: DashboardState): LayerSummary[] {
  return state.report?.model.layers ?? state.started?.model.layers ?? [];
}

/** The layers of a live run defined in `file`, by the 1-based line that defines them. */
export function liveLayersByLine(state: DashboardState, file: string): Map<number, LayerSummary[]> {
  const out = new Map<number, LayerSummary[]>();
  if (!isLiveRun(state)) return out;
  for (const layer of liveSummaries(state)) {
    const src = layer.source;
    if (!src || !sameFile(src.file, file)) continue;
    const list = out.get(src.line) ?? [];
    list.push(layer);
    out.set(src.line, list);
  }
  return out;
}

/** Where a live run's layer is defined, or null (not a live layer, or one seen only in probes). */
export function liveLayerSource(state: DashboardState, name: string): SourceRef | null {
  if (!isLiveRun(state)) return null;
  return liveSummaries(state).find((l) => l.name === name)?.source ?? null;
}

/**
 * The parsed layer with an activation defined on `source`'s line in its file (the same column
 * first), or null: a live layer is an activation application, never a Conv or BatchNorm there.
 */
export function specLayerAt(spec: ModelSpec, source: SourceRef): LayerSpec | null {
  const onLine = spec.layers.filter(
    (l) =>
      l.activation !== null &&
      l.source &&
      sameFile(l.source.file, source.file) &&
      l.source.line === source.line,
  );
  return onLine.find((l) => l.source!.column === source.column) ?? onLine[0] ?? null;
}
