/** Commands that act on the model's source: applyEluFix, goToLayer. */
import * as vscode from 'vscode';
import { isSwitchableToElu } from '../../src/model/activation-families';
import type { Command, Ctx } from '../ctx';
import { applyEluFix as applyFix } from '../apply-elu-fix';
import { asUri, modelTarget } from '../model-target';
import { liveLayerSource, specLayerAt } from '../live-layers';
import { requireTrust } from './require-trust';

/**
 * A live run's layer (a module path such as `layer1.0.relu`) as the file and parsed layer its line
 * defines; null when `layer` is not a live layer with a source line.
 */
async function liveTarget(
  ctx: Ctx,
  layer: string,
): Promise<{ uri: vscode.Uri; parsed: string | null } | null> {
  const source = liveLayerSource(ctx.run.state, layer);
  if (!source) return null;
  const uri = vscode.Uri.file(source.file);
  await ctx.documents.ready();
  const spec = await ctx.documents.get(await vscode.workspace.openTextDocument(uri));
  return { uri, parsed: spec ? (specLayerAt(spec, source)?.name ?? null) : null };
}

/**
 * The file a dashboard button acts on: the one given, else that of the run the dashboard shows
 * (the current one or a saved one), else the active editor's.
 */
function runFile(ctx: Ctx, arg: unknown): vscode.Uri | null {
  const explicit = asUri(arg);
  if (explicit) return explicit;
  const file = ctx.dashboard.state.started?.model.file ?? modelTarget(undefined);
  return file ? vscode.Uri.file(file) : null;
}

/** Which layer to switch when none was named: the only candidate, else the person picks. */
async function chooseLayer(ctx: Ctx, uri: vscode.Uri): Promise<string | null> {
  const spec = await ctx.documents.get(await vscode.workspace.openTextDocument(uri));
  const names = spec?.layers.filter((l) => isSwitchableToElu(l.activation)).map((l) => l.name) ?? [];
  if (names.length === 1) return names[0] ?? null;
  return (await vscode.window.showQuickPick(names, { title: 'Switch which layer to ELU?' })) ?? null;
}

export const applyEluFix: Command = (ctx) => async (uriArg?: unknown, layerArg?: unknown) => {
  if (!requireTrust('switching a layer to ELU', 'it edits a file of the workspace')) return null;
  // The dashboard names a live run's layers by module path: the fix goes to the line defining it.
  const live = typeof layerArg === 'string' && !asUri(uriArg) ? await liveTarget(ctx, layerArg) : null;
  if (live) {
    if (!live.parsed) {
      void vscode.window.showWarningMessage(
        `Activation Lens: ${live.uri.fsPath}: the line that defines ${layerArg} holds no activation the quick fix can rewrite.`,
      );
      return null;
    }
    return applyFix(ctx.documents, live.uri, live.parsed, ctx.settings().get<number>('eluAlpha', 1.0));
  }
  const uri = runFile(ctx, uriArg);
  if (!uri) {
    void vscode.window.showWarningMessage(
      'Activation Lens: the built-in example has no source file to edit. Open your model script and run the quick fix there.',
    );
    return null;
  }
  await ctx.documents.ready();
  const layer = typeof layerArg === 'string' ? layerArg : await chooseLayer(ctx, uri);
  if (!layer) return null;
  return applyFix(ctx.documents, uri, layer, ctx.settings().get<number>('eluAlpha', 1.0));
};

export const goToLayer: Command = (ctx) => async (layerArg?: unknown, uriArg?: unknown) => {
  const liveSource = typeof layerArg === 'string' ? liveLayerSource(ctx.run.state, layerArg) : null;
  if (liveSource) {
    // A live layer's line is where the run said it is defined; no parse needed.
    const document = await vscode.workspace.openTextDocument(vscode.Uri.file(liveSource.file));
    const at = new vscode.Position(liveSource.line - 1, Math.max(0, liveSource.column - 1));
    await vscode.window.showTextDocument(document, {
      selection: new vscode.Range(at, at),
      preserveFocus: false,
    });
    return;
  }
  const uri = runFile(ctx, uriArg);
  if (typeof layerArg !== 'string' || !uri) {
    void vscode.window.showWarningMessage(
      'Activation Lens: this layer has no source location (built-in example or saved model).',
    );
    return;
  }
  await ctx.documents.ready();
  const document = await vscode.workspace.openTextDocument(uri);
  const source = (await ctx.documents.get(document))?.layers.find((l) => l.name === layerArg)?.source;
  if (!source) {
    void vscode.window.showWarningMessage(
      `Activation Lens: ${uri.fsPath}: no layer named ${layerArg} in the file as it is now.`,
    );
    return;
  }
  const at = new vscode.Position(source.line - 1, Math.max(0, source.column - 1));
  await vscode.window.showTextDocument(document, {
    selection: new vscode.Range(at, at),
    preserveFocus: false,
  });
};

/**
 * The dashboard's partial banner: a line of the current run's model file (where a part was left
 * out). Only that file is opened: the webview names a line, never a path.
 */
export const goToLine: Command = (ctx) => async (lineArg?: unknown, columnArg?: unknown) => {
  const file = ctx.run.state.started?.model.file;
  if (!file || typeof lineArg !== 'number' || lineArg < 1) return;
  const column = typeof columnArg === 'number' && columnArg > 0 ? columnArg : 1;
  const at = new vscode.Position(lineArg - 1, column - 1);
  const document = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  await vscode.window.showTextDocument(document, {
    selection: new vscode.Range(at, at),
    preserveFocus: false,
  });
};
