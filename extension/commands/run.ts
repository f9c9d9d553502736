/** Commands that start and stop runs: analyze, runWhatIf, stop. */
import * as vscode from 'vscode';
import type { Command, Ctx } from '../ctx';
import { buildRunConfig } from '../run-config';
import { modelTarget } from '../model-target';
import { markRunStarted } from '../welcome-view';
import { requireTrust } from './require-trust';

/**
 * Starts an analysis of `arg` (a file, else the active editor's, else the example), or, with
 * `whatIf`, the ELU what-if on the model of the current run.
 */
export async function startRun(
  ctx: Ctx,
  arg: unknown,
  whatIf: { layers: string[] } | null = null,
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
  markRunStarted();
  void ctx.dashboard.reveal();
  await run.start(config);
}

export const analyze: Command = (ctx) => (arg?: unknown) => startRun(ctx, arg);

/** `layers`: the layers to switch (the card's button); none = the advisor's choice. */
export const runWhatIf: Command = (ctx) => (layers?: unknown) =>
  startRun(ctx, undefined, {
    layers: Array.isArray(layers) ? layers.filter((l): l is string => typeof l === 'string') : [],
  });

export const stop: Command = (ctx) => () => ctx.run.stop();
