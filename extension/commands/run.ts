/** Commands that start and stop runs: analyze, runWhatIf, stop. */
import * as vscode from 'vscode';
import type { Command, Ctx } from '../ctx';
import { buildRunConfig } from '../run-config';
import { modelTarget } from '../model-target';
import { markRunStarted } from '../welcome-view';
import { requireTrust } from './require-trust';
import { chooseModel, type AskModel } from '../model-choice';
import type { ModelSpec } from '../../src/model/spec';

/**
 * Starts an analysis of `arg` (a file, else the active editor's, else the example), or, with
 * `whatIf`, the ELU what-if on the model of the current run. `model` names one model of a file
 * that defines several (a lens on its definition); otherwise the person picks one (remembered for
 * the file during the session).
 */
export async function startRun(
  ctx: Ctx,
  arg: unknown,
  whatIf: { layers: string[] } | null = null,
  model: string | null = null,
): Promise<void> {
  if (
    !requireTrust(
      whatIf ? 'the ELU what-if' : 'analysis',
      'it trains the model on data paths and settings taken from the workspace',
    )
  )
    return;
  const run = ctx.run;
  // The what-if runs on the model the dashboard shows (the current run's, or a saved run's).
  const shown = ctx.dashboard.state.started;
  const file = whatIf && shown ? shown.model.file : modelTarget(arg);
  const folder =
    (file ? vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file)) : undefined) ??
    vscode.workspace.workspaceFolders?.[0];
  const config = buildRunConfig(
    (k) => ctx.settings().get(k),
    { file, workspaceFolder: folder?.uri.fsPath ?? null },
    whatIf,
  );
  // The what-if re-runs the current run's model; an analysis of a file with several models asks.
  const chosen = whatIf
    ? (run.state.report?.config.model ?? null)
    : file
      ? await chooseModel(file, await parsedSpec(ctx, file), model, ctx.modelChoices, askModel)
      : null;
  if (chosen === undefined) return;
  if (chosen) config.model = chosen;
  markRunStarted();
  void ctx.dashboard.reveal();
  await run.start(config);
}

/** The parsed model of a Python source (the only kind that can define several), or null. */
async function parsedSpec(ctx: Ctx, file: string): Promise<ModelSpec | null> {
  if (!file.toLowerCase().endsWith('.py')) return null;
  try {
    await ctx.documents.ready();
    return await ctx.documents.get(await vscode.workspace.openTextDocument(vscode.Uri.file(file)));
  } catch {
    // No parse, no choice: the engine picks as the CLI does, and says which in its findings.
    return null;
  }
}

const askModel: AskModel = (items, title) =>
  vscode.window.showQuickPick(items, {
    title,
    placeHolder: 'the model to analyze (remembered for this file)',
  });

/** `activationLens.analyze(uri?, model?)`: a lens on a model's definition passes its name. */
export const analyze: Command = (ctx) => (arg?: unknown, model?: unknown) =>
  startRun(ctx, arg, null, typeof model === 'string' && model ? model : null);

/** `layers`: the layers to switch (the card's button); none = the advisor's choice. */
export const runWhatIf: Command = (ctx) => (layers?: unknown) =>
  startRun(ctx, undefined, {
    layers: Array.isArray(layers) ? layers.filter((l): l is string => typeof l === 'string') : [],
  });

export const stop: Command = (ctx) => () => ctx.run.stop();
