/**
 * The "Runs" view in the Activation Lens container: every saved run of this workspace, newest
 * first — model, where it ran (engine backend or live taps), when, steps, headline ("dense 41%
 * dead"). Clicking opens it in the dashboard; the context menu compares and deletes. The run shown
 * and the run drawn as ghost lines are marked.
 */
import * as vscode from 'vscode';
import type { SavedRunSummary } from '../src/protocol';
import type { RunHistory } from './run-history';

export const RUNS_VIEW_ID = 'activationLens.runs';
export const RUN_ITEM_CONTEXT = 'activationLens.run';

/** What a run is of: its file's name ("mnist_cnn.py"), else the model's (the built-in example). */
export function runName(r: Pick<SavedRunSummary, 'model' | 'file'>): string {
  return r.file ? (r.file.split(/[\\/]/).pop() ?? r.file) : r.model;
}

/** When it was saved, in the person's locale: "12 Mar 2025, 14:02". */
export function runDate(r: Pick<SavedRunSummary, 'savedAt'>): string {
  const when = new Date(r.savedAt);
  return Number.isNaN(when.getTime())
    ? r.savedAt
    : when.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** "mnist_cnn.py · 12 Mar 2025, 14:02". */
export function runLabel(r: Pick<SavedRunSummary, 'model' | 'file' | 'savedAt'>): string {
  return `${runName(r)} · ${runDate(r)}`;
}

/** "wasm · 40 steps", "live torch · 1,200 steps". */
export function runWhere(r: SavedRunSummary): string {
  const origin = r.origin === 'live' ? `live ${r.backend}` : r.backend;
  return `${origin}${r.whatIf ? ' · what-if' : ''} · ${r.steps.toLocaleString('en-US')} steps`;
}

export class RunsTreeProvider implements vscode.TreeDataProvider<SavedRunSummary>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly history: RunHistory,
    /** The saved run shown in the dashboard and the one compared with it (ids), for the marks. */
    private readonly marks: () => { shown: string | null; compared: string | null },
  ) {
    this.subscription = history.onDidChange(() => this.refresh());
  }

  refresh(): void {
    this.changed.fire();
  }

  getChildren(element?: SavedRunSummary): Promise<SavedRunSummary[]> {
    return element ? Promise.resolve([]) : this.history.list();
  }

  getTreeItem(r: SavedRunSummary): vscode.TreeItem {
    const { shown, compared } = this.marks();
    const item = new vscode.TreeItem(runLabel(r), vscode.TreeItemCollapsibleState.None);
    item.id = r.id;
    const mark = r.id === shown ? ' · shown' : r.id === compared ? ' · ghost lines' : '';
    item.description = `${r.headline} · ${runWhere(r)}${mark}`;
    item.tooltip = new vscode.MarkdownString(
      [
        `**${r.model}**${r.file ? ` — \`${r.file}\`` : ' — the built-in example'}`,
        `${r.origin === 'live' ? 'Live taps' : 'TF.js engine'} on ${r.backend}${r.whatIf ? ' (ELU what-if)' : ''}`,
        `${r.steps.toLocaleString('en-US')} steps${r.cancelled ? ', stopped early' : ''} · saved ${new Date(r.savedAt).toLocaleString()}`,
        r.headline,
        `${(r.bytes / 1024).toFixed(0)} KiB in the workspace's storage`,
      ].join('\n\n'),
    );
    item.iconPath = new vscode.ThemeIcon(r.origin === 'live' ? 'plug' : r.whatIf ? 'beaker' : 'pulse');
    item.contextValue = RUN_ITEM_CONTEXT;
    item.command = { title: 'Open Run', command: 'activationLens.openRun', arguments: [r] };
    return item;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
