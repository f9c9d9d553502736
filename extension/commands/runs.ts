/**
 * Commands on saved runs: open one in the dashboard, compare two (the other drawn as ghost lines),
 * compare with the previous run of the same model, clear the comparison, delete. Runs arrive as
 * Runs-view items or ids from anyone who calls the command, so every id is checked before use.
 */
import * as vscode from 'vscode';
import { isSavedRunId, type SavedRunSummary } from '../../src/protocol';
import { comparisonFromReport, stateFromSavedRun } from '../../src/saved-run';
import { isUserError } from '../../src/errors';
import type { Command, Ctx } from '../ctx';
import { runDate, runLabel, runName, runWhere } from '../runs-view';

/** The saved-run id a command was given: a Runs-view item or the id itself. */
function runId(arg: unknown): string | null {
  const id = typeof arg === 'object' && arg !== null ? (arg as { id?: unknown }).id : arg;
  return isSavedRunId(id) ? id : null;
}

/** The runs selected in the view when a menu command ran on several, else the one it ran on. */
function selectedIds(arg: unknown, selected: unknown): string[] {
  const many = Array.isArray(selected) ? selected.map(runId).filter((id): id is string => id !== null) : [];
  const one = runId(arg);
  return many.length > 0 ? many : one ? [one] : [];
}

function failed(what: string, e: unknown): null {
  const message = isUserError(e) ? e.format() : (e as Error).message;
  void vscode.window.showErrorMessage(`Activation Lens: ${what}: ${message}`);
  return null;
}

async function summaryOf(ctx: Ctx, id: string): Promise<SavedRunSummary | null> {
  return (await ctx.history.list()).find((r) => r.id === id) ?? null;
}

/** Loads a saved run (validated by the store) and shows it in both dashboards and the editor tab. */
export async function openSavedRun(ctx: Ctx, id: string): Promise<boolean> {
  try {
    const saved = await ctx.history.load(id);
    const summary = await summaryOf(ctx, id);
    ctx.dashboard.showSaved({
      id,
      label: summary ? runLabel(summary) : saved.report.model.name,
      state: stateFromSavedRun(saved),
    });
    ctx.dashboard.openEditor();
    ctx.runsTree.refresh();
    return true;
  } catch (e) {
    return failed('could not open the saved run', e) ?? false;
  }
}

/** Draws a saved run behind whatever the dashboard shows. */
async function ghost(ctx: Ctx, id: string, label: (s: SavedRunSummary | null) => string): Promise<boolean> {
  try {
    const saved = await ctx.history.load(id);
    ctx.dashboard.compare(comparisonFromReport(saved.report, label(await summaryOf(ctx, id))), id);
    ctx.dashboard.openEditor();
    ctx.runsTree.refresh();
    return true;
  } catch (e) {
    return failed('could not load the run to compare with', e) ?? false;
  }
}

export const openRun: Command = (ctx) => async (arg?: unknown) => {
  const id = runId(arg);
  return id ? openSavedRun(ctx, id) : false;
};

/**
 * Two runs selected: the newer is shown, the older drawn behind it. One run: it is drawn behind the
 * run the dashboard shows. None: pick one.
 */
export const compareRuns: Command = (ctx) => async (arg?: unknown, selected?: unknown) => {
  let ids = selectedIds(arg, selected);
  if (ids.length === 0) {
    const shown = ctx.dashboard.shownSaved?.id;
    const runs = (await ctx.history.list()).filter((r) => r.id !== shown);
    const pick = await vscode.window.showQuickPick(
      runs.map((r) => ({ label: runLabel(r), description: r.headline, detail: runWhere(r), id: r.id })),
      { title: 'Compare the dashboard with which saved run?', matchOnDescription: true },
    );
    if (!pick) return false;
    ids = [pick.id];
  }
  if (ids.length > 2) {
    void vscode.window.showWarningMessage(
      'Activation Lens: select two runs to compare (one is drawn behind the other).',
    );
    return false;
  }
  if (ids.length === 2) {
    const runs = await ctx.history.list();
    const [newer, older] = [...ids].sort(
      (a, b) => runs.findIndex((r) => r.id === a) - runs.findIndex((r) => r.id === b),
    ) as [string, string];
    if (!(await openSavedRun(ctx, newer))) return false;
    return ghost(ctx, older, (s) => (s ? runLabel(s) : older));
  }
  return ghost(ctx, ids[0]!, (s) => (s ? runLabel(s) : ids[0]!));
};

/** The obvious pair: this run and the run of the same model before it (before / after the ELU fix). */
export const compareWithPrevious: Command = (ctx) => async () => {
  const state = ctx.dashboard.state;
  const model = state.started?.model ?? state.report?.model;
  if (!model) {
    void vscode.window.showInformationMessage(
      'Activation Lens: no run to compare yet. Run "Analyze Activations" first.',
    );
    return false;
  }
  const shown = ctx.dashboard.shownSaved;
  const previous = await ctx.history.previousOf(
    { file: model.file, model: model.name },
    shown ? { id: shown.id } : { runId: state.runId },
  );
  if (!previous) {
    void vscode.window.showInformationMessage(
      `Activation Lens: there is no earlier saved run of ${model.name}${model.file ? ` (${model.file})` : ''} to compare with. Runs are saved when they finish.`,
    );
    return false;
  }
  return ghost(ctx, previous.id, () => `previous run of ${runName(previous)} · ${runDate(previous)}`);
};

export const clearComparison: Command = (ctx) => () => {
  ctx.dashboard.compare(null);
  ctx.runsTree.refresh();
};

export const deleteRun: Command = (ctx) => async (arg?: unknown, selected?: unknown) => {
  const ids = selectedIds(arg, selected);
  if (ids.length === 0) return false;
  const runs = await ctx.history.list();
  const names = ids.map((id) => {
    const r = runs.find((x) => x.id === id);
    return r ? runLabel(r) : id;
  });
  const answer = await vscode.window.showWarningMessage(
    ids.length === 1 ? `Delete the saved run ${names[0]}?` : `Delete ${ids.length} saved runs?`,
    {
      modal: true,
      detail: `${names.join('\n')}\n\nIts report and probe history are removed from this workspace's storage.`,
    },
    'Delete',
  );
  if (answer !== 'Delete') return false;
  await ctx.history.remove(ids);
  if (ctx.dashboard.shownSaved && ids.includes(ctx.dashboard.shownSaved.id)) ctx.dashboard.showLive();
  if (ctx.dashboard.comparedId && ids.includes(ctx.dashboard.comparedId)) ctx.dashboard.compare(null);
  return true;
};
