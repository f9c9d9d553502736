/**
 * One analysis run at a time: starts the engine process, folds its events into the dashboard state,
 * and shows the run in VS Code (progress notification with cancel, status bar, log, Problems).
 * Lifetimes: the controller lives as long as the extension; an EngineRun as long as one process.
 */
import * as vscode from 'vscode';
import { randomUUID } from 'node:crypto';
import type { DashboardState, EngineEvent, RunConfig } from '../src/protocol';
import { applyEngineEvent, emptyDashboardState, withStatus } from '../src/dashboard-state';
import { EngineRun, type EngineExit } from './engine-client';
import { Batcher } from './throttle';
import { appendTestRecord } from './test-log';

export interface EngineLaunch {
  enginePath: string;
  execPath: string | undefined;
  env: NodeJS.ProcessEnv;
}

export interface RunControllerDeps {
  log: vscode.LogOutputChannel;
  /** Where and how to start the engine, read fresh for every run (settings may have changed). */
  launch: () => EngineLaunch;
  /** Called with every engine event after the state has been updated. */
  onEvent: (event: EngineEvent) => void;
  /** Called when the host itself changed the state (run start, crash, cancel): resend it whole. */
  onTransition: () => void;
}

export class RunController implements vscode.Disposable {
  private current: EngineRun | null = null;
  private lastConfig: RunConfig | null = null;
  private _state: DashboardState = emptyDashboardState();
  private readonly stateChanged = new vscode.EventEmitter<void>();
  private readonly notifier = new Batcher<void>(() => this.stateChanged.fire(), 100);
  private readonly statusBar: vscode.StatusBarItem;
  private progress: {
    report: (p: { message?: string; increment?: number }) => void;
    done: () => void;
    reported: number;
  } | null = null;

  /** Fires at most 10 times a second while a run reports. */
  readonly onDidChangeState = this.stateChanged.event;

  private readonly finished = new vscode.EventEmitter<DashboardState>();
  /**
   * Fires once for each run that ends with a report (finished or stopped), whatever brought its
   * events (the engine, the live taps), with the state it ended in: the Runs view saves it.
   */
  readonly onDidFinishRun = this.finished.event;

  constructor(private readonly deps: RunControllerDeps) {
    this.statusBar = vscode.window.createStatusBarItem(
      'activationLens.status',
      vscode.StatusBarAlignment.Left,
      10,
    );
    this.statusBar.name = 'Activation Lens';
    this.statusBar.command = 'activationLens.openDashboard';
    this.updateStatusBar();
  }

  get state(): DashboardState {
    return this._state;
  }

  get running(): boolean {
    return this.current?.running ?? false;
  }

  /** Starts a run (stopping one in progress first). Resolves when the engine process has exited. */
  async start(config: RunConfig): Promise<void> {
    if (this.current?.running) {
      this.current.cancel();
      await new Promise<void>((resolve) => {
        const sub = this.onDidChangeState(() => {
          if (!this.current?.running) {
            sub.dispose();
            resolve();
          }
        });
      });
    }
    this.lastConfig = config;
    const runId = randomUUID();
    const launch = this.deps.launch();
    this.deps.log.info(
      `run ${runId}: ${config.file ?? `example ${config.example}`} · ${config.steps} steps · backend ${config.backend} · engine ${launch.enginePath} on ${launch.execPath ?? process.execPath}`,
    );
    this.setState({ ...emptyDashboardState(), runId, status: 'running', started: this._state.started }, true);
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Activation Lens', cancellable: true },
      (progress, token) =>
        new Promise<void>((resolve) => {
          this.progress = { report: (p) => progress.report(p), done: resolve, reported: 0 };
          progress.report({
            message: `starting the engine for ${config.file ? shortName(config.file) : 'the built-in example'}…`,
          });
          token.onCancellationRequested(() => this.stop());
          try {
            this.current = new EngineRun(runId, config, {
              enginePath: launch.enginePath,
              ...(launch.execPath ? { execPath: launch.execPath } : {}),
              env: launch.env,
              killAfterMs: 5000,
              onEvent: (e) => this.receive(e),
              onExit: (exit) => this.exited(runId, exit),
              onLog: (level, message) => this.deps.log[level](message),
            });
          } catch (e) {
            this.fail(
              `could not start the engine (${launch.execPath ?? process.execPath}): ${e instanceof Error ? e.message : String(e)}`,
            );
            resolve();
          }
        }),
    );
  }

  stop(): void {
    if (!this.current?.running) return;
    this.deps.log.info(`run ${this.current.runId}: cancelling`);
    this.current.cancel();
    this.progress?.report({ message: 'stopping…' });
  }

  private receive(event: EngineEvent): void {
    appendTestRecord({
      kind: 'event',
      type: event.type,
      runId: event.runId,
      ...(event.type === 'run-started' ? { backend: event.backend } : {}),
    });
    if (event.type === 'log') {
      this.deps.log[event.level](`[engine] ${event.message}`);
      return;
    }
    this.setState(applyEngineEvent(this._state, event));
    this.deps.onEvent(event);
    switch (event.type) {
      case 'run-started':
        this.deps.log.info(
          `backend: ${event.backend} (${event.backendDetail}); model ${event.model.name}, ${event.model.layers.length} layers; ${event.totalSteps} steps`,
        );
        for (const part of event.model.omitted ?? [])
          this.deps.log.warn(
            `partial model: ${part.what} left out${part.source ? ` (${part.source.file}:${part.source.line})` : ''}: ${part.reason}`,
          );
        this.progress?.report({ message: `training on ${event.backend}…${partialNote(this._state)}` });
        break;
      case 'progress': {
        if (!this.progress || event.totalSteps <= 0) break;
        const pct = Math.min(100, (100 * event.step) / event.totalSteps);
        this.progress.report({
          increment: pct - this.progress.reported,
          message: `${event.arm ? `${event.arm}: ` : ''}step ${event.step}/${event.totalSteps} · loss ${event.loss.toFixed(3)} · ${Math.round(event.samplesPerSecond)} samples/s${partialNote(this._state)}`,
        });
        this.progress.reported = pct;
        break;
      }
      case 'error':
        this.deps.log.error(`engine error: ${event.message}${event.detail ? `\n${event.detail}` : ''}`);
        this.showFailure(
          `${event.file ? `${event.file}${event.line ? `:${event.line}` : ''}: ` : ''}${event.message}`,
        );
        break;
      case 'run-finished':
        this.deps.log.info(
          `run finished${event.report.cancelled ? ' (cancelled)' : ''}: ${event.report.findings.length} findings, ${event.report.training.samplesPerSecond.toFixed(0)} samples/s`,
        );
        break;
    }
  }

  private exited(runId: string, exit: EngineExit): void {
    appendTestRecord({ kind: 'engine-exit', runId, code: exit.code, signal: exit.signal });
    this.deps.log.info(`engine process exited (code ${exit.code}, signal ${exit.signal})`);
    if (this._state.runId === runId && this._state.status === 'running') {
      if (exit.cancelled) this.setState(withStatus(this._state, 'cancelled'), true);
      else if (!exit.reported) {
        // The dashboard keeps the last data; only the status changes.
        const why = exit.signal ? `was killed (${exit.signal})` : `exited with code ${exit.code}`;
        this.fail(
          `the engine process ${why} before finishing.${exit.stderrTail ? ` Last output: ${exit.stderrTail.split('\n').pop()}` : ''}`,
        );
      }
    }
    this.current?.dispose();
    this.current = null;
    this.progress?.done();
    this.progress = null;
    this.notifier.flush();
    this.stateChanged.fire();
  }

  private fail(message: string): void {
    this.setState(withStatus(this._state, 'failed', message), true);
    this.deps.log.error(message);
    this.showFailure(message);
  }

  private showFailure(message: string): void {
    appendTestRecord({ kind: 'error', message });
    void vscode.window.showErrorMessage(`Activation Lens: ${message}`, 'Show Log', 'Retry').then((choice) => {
      if (choice === 'Show Log') this.deps.log.show(true);
      if (choice === 'Retry' && this.lastConfig) void this.start(this.lastConfig);
    });
  }

  private setState(state: DashboardState, transition = false): void {
    const reported = state.report !== null && state.report !== this._state.report;
    this._state = state;
    if (reported) this.finished.fire(state);
    this.updateStatusBar();
    this.notifier.push();
    if (transition) this.deps.onTransition();
  }

  private updateStatusBar(): void {
    const s = this._state;
    const backend = s.started?.backend ?? null;
    const last = s.progress[s.progress.length - 1];
    const icon = {
      idle: '$(pulse)',
      running: '$(sync~spin)',
      finished: '$(check)',
      cancelled: '$(circle-slash)',
      failed: '$(error)',
    }[s.status];
    const detail =
      s.status === 'running' && last
        ? ` · ${last.step}/${last.totalSteps}`
        : s.status === 'idle'
          ? ''
          : ` · ${s.status}`;
    const omitted = s.started?.model.omitted?.length ?? 0;
    this.statusBar.text = `${icon} ${backend ?? 'Activation Lens'}${detail}${omitted > 0 ? ' · partial' : ''}`;
    this.statusBar.tooltip = backend
      ? `Activation Lens — backend: ${backend} (${s.started?.backendDetail ?? ''}); run ${s.status}.${omitted > 0 ? ` The model analysed is partial: ${omitted} part${omitted === 1 ? '' : 's'} of the file left out (listed in the dashboard).` : ''} Click for the dashboard.`
      : 'Activation Lens — no run yet. Click for the dashboard.';
    // Nothing to say before the first run: no status bar item for every Python file opened.
    if (s.status === 'idle') this.statusBar.hide();
    else this.statusBar.show();
  }

  dispose(): void {
    this.current?.dispose();
    this.current = null;
    this.progress?.done();
    this.notifier.dispose();
    this.stateChanged.dispose();
    this.finished.dispose();
    this.statusBar.dispose();
  }
}

/** " · partial model (2 parts left out)" while the run's model is partial: never a quiet success. */
function partialNote(state: DashboardState): string {
  const n = state.started?.model.omitted?.length ?? 0;
  return n > 0 ? ` · partial model (${n} part${n === 1 ? '' : 's'} left out)` : '';
}

function shortName(file: string): string {
  return file.split(/[\\/]/).pop() ?? file;
}
