/**
 * The runs kept for this workspace: every run that ends with a report (an analysis, a what-if, a
 * live run) is saved through the store (src/run-store.ts) into the workspace's storage — never the
 * person's folder — and the folder is kept within the cap from the settings. Saves run one after
 * another, so a prune never races a save. The Runs view and the commands read the list from here.
 */
import * as vscode from 'vscode';
import type { DashboardState, SavedRun, SavedRunSummary } from '../src/protocol';
import { RunStore, type RunStoreCap } from '../src/run-store';
import { savedRunFromState } from '../src/saved-run';

export const RUNS_DEFAULT_CAP: RunStoreCap = { maxRuns: 50, maxBytes: 200 * 2 ** 20 };

/** Runs of the same model: the same file (or both the built-in example) and the same model name. */
export function sameModel(
  a: Pick<SavedRunSummary, 'file' | 'model'>,
  b: Pick<SavedRunSummary, 'file' | 'model'>,
) {
  return a.file === b.file && a.model === b.model;
}

export class RunHistory implements vscode.Disposable {
  readonly store: RunStore;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private queue: Promise<unknown> = Promise.resolve();
  private listed: Promise<SavedRunSummary[]> | null = null;

  constructor(
    root: string,
    private readonly log: (level: 'info' | 'warn', message: string) => void,
    private readonly cap: () => RunStoreCap,
  ) {
    this.store = new RunStore(root, (m) => log('warn', m));
  }

  /** Saves a finished run and applies the cap; resolves to its summary (null: nothing to save or it failed). */
  record(state: DashboardState): Promise<SavedRunSummary | null> {
    const saved = savedRunFromState(state);
    if (!saved) return Promise.resolve(null);
    return this.serially(async () => {
      try {
        const summary = await this.store.save(saved);
        this.log(
          'info',
          `run saved: ${summary.model} · ${summary.headline} (${kib(summary.bytes)}) → ${this.store.runFile(saved.id)}`,
        );
        const dropped = await this.store.prune(this.cap());
        for (const d of dropped)
          this.log(
            'info',
            `run ${d.id} (${d.model}, ${d.savedAt}) removed: the Runs cap (${capText(this.cap())}) keeps the newest`,
          );
        return summary;
      } catch (e) {
        this.log('warn', `could not save the run in ${this.store.root}: ${(e as Error).message}`);
        return null;
      } finally {
        this.invalidate();
      }
    });
  }

  /** Newest first; read once and kept until a run is saved or removed. */
  list(): Promise<SavedRunSummary[]> {
    this.listed ??= this.serially(() => this.store.list());
    return this.listed;
  }

  load(id: string): Promise<SavedRun> {
    return this.store.load(id);
  }

  remove(ids: string[]): Promise<void> {
    return this.serially(async () => {
      try {
        for (const id of ids) await this.store.remove(id);
      } finally {
        this.invalidate();
      }
    });
  }

  /** Applies a changed cap setting now rather than at the next save. */
  prune(): Promise<void> {
    return this.serially(async () => {
      try {
        const dropped = await this.store.prune(this.cap());
        if (dropped.length > 0) this.invalidate();
      } catch (e) {
        this.log('warn', `could not apply the Runs cap in ${this.store.root}: ${(e as Error).message}`);
      }
    });
  }

  /**
   * The newest saved run of the same model older than `than` (a saved run's id), or, given the run
   * id of a run that is not saved (yet), the newest saved run of that model other than its own copy.
   */
  async previousOf(
    model: Pick<SavedRunSummary, 'file' | 'model'>,
    than: { id: string } | { runId: string | null },
  ): Promise<SavedRunSummary | null> {
    const runs = await this.list();
    if ('id' in than) {
      const at = runs.findIndex((r) => r.id === than.id);
      return runs.slice(at + 1).find((r) => sameModel(r, model)) ?? null;
    }
    return runs.find((r) => sameModel(r, model) && r.runId !== than.runId) ?? null;
  }

  private invalidate(): void {
    this.listed = null;
    this.changed.fire();
  }

  private serially<T>(task: () => Promise<T>): Promise<T> {
    const next = this.queue.then(task, task);
    this.queue = next.catch(() => undefined);
    return next;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

function kib(bytes: number): string {
  return bytes >= 2 ** 20 ? `${(bytes / 2 ** 20).toFixed(1)} MiB` : `${Math.ceil(bytes / 1024)} KiB`;
}

function capText(cap: RunStoreCap): string {
  return `${cap.maxRuns} runs, ${Math.round(cap.maxBytes / 2 ** 20)} MB`;
}
