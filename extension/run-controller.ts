/**
 * One run at a time: an analysis (the engine process) or a live run (the person's own training
 * script, its events from the live listener). Either way the controller folds the events into the
 * dashboard state with the same reducer and shows the run in VS Code (progress notification with
 * cancel, status bar, log, Problems). Lifetimes: the controller lives as long as the extension; an
 * EngineRun as long as one engine process, a LiveTrainingRun as long as one watched script.
 */
import * as vscode from 'vscode';
import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import type { DashboardState, EngineEvent, LiveHello, RunConfig } from '../src/protocol';
import type { LiveConnection, LiveResult } from '../src/live/listener';
import { applyEngineEvent, emptyDashboardState, withStatus } from '../src/dashboard-state';
import { EngineRun, type EngineExit } from './engine-client';
import { LiveTrainingRun, type ScriptExit, type ScriptLaunch } from './live-training-run';
import { Batcher } from './throttle';
import { appendTestRecord } from './test-log';

/** What Stop means for a live run whose script we started. */
export type LiveStop = 'watching' | 'script';
export const STOP_WATCHING = 'Stop Watching';
export const STOP_SCRIPT = 'Stop the Script';
/** After the script exited, how long its taps' connection may take to deliver live-ended. */
const LATE_END_MS = 5000;

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
  /** For a live run of our own script: stop watching, or stop the script? (undefined: neither). */
  askLiveStop?: (script: string) => Promise<LiveStop | undefined>;
}

/** A live run's bookkeeping beside its LiveTrainingRun. */
interface LiveState {
  run: LiveTrainingRun;
  name: string;
  exit: ScriptExit | null;
  ended: LiveResult | null;
  /** The person asked the script to stop: its exit is no failure. */
  stopRequested: boolean;
  /** No longer watched: the run ends with its connection; the script (if ours) trains on. */
  detached: boolean;
  lateTimer: ReturnType<typeof setTimeout> | null;
}

export class RunController implements vscode.Disposable {
  private current: EngineRun | LiveTrainingRun | null = null;
  private live: LiveState | null = null;
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

  /** Whether the run in progress (if any) is a live one. */
  get isLive(): boolean {
    return this.live !== null;
  }

  /** Ends the run in progress (an engine run is cancelled, a live one no longer watched) and waits. */
  private async stopCurrent(): Promise<void> {
    if (!this.current?.running) return;
    if (this.current instanceof LiveTrainingRun) {
      this.detachLive();
      return;
    }
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

  /** Starts a run (stopping one in progress first). Resolves when the engine process has exited. */
  async start(config: RunConfig): Promise<void> {
    await this.stopCurrent();
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
    if (this.current instanceof LiveTrainingRun) {
      void this.stopLive();
      return;
    }
    this.deps.log.info(`run ${this.current.runId}: cancelling`);
    this.current.cancel();
    this.progress?.report({ message: 'stopping…' });
  }

  // ---- live runs ----

  /**
   * Runs the person's script with live taps (stopping a run in progress first); the events come
   * through the live listener (`admitLive` / `liveConnected` / `liveEvent` / `liveEnded`). Resolves
   * when the script has exited and its run has ended.
   */
  async startLive(launch: ScriptLaunch): Promise<void> {
    await this.stopCurrent();
    const name = basename(launch.script);
    this.deps.log.info(`live run: ${launch.python} -m activation_lens run -- ${launch.script}`);
    this.setState({ ...emptyDashboardState(), status: 'running', started: this._state.started }, true);
    let run: LiveTrainingRun;
    try {
      run = new LiveTrainingRun(launch, {
        log: (level, m) => this.deps.log[level](m),
        onExit: (exit) => this.liveScriptExited(run, exit),
      });
    } catch (e) {
      this.fail(`could not start ${name}: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    this.beginLive(run, name);
    await this.withLiveProgress(`starting ${name} with live taps…`);
  }

  /** Whether a process that said hello may start a live run here: null to accept, else why not. */
  admitLive(hello: LiveHello): string | null {
    const current = this.current;
    if (!current?.running) return null;
    if (
      current instanceof LiveTrainingRun &&
      current.hasProcess &&
      !current.connection &&
      current.pid === hello.pid
    )
      return null;
    return current instanceof EngineRun
      ? 'an analysis is running in this window; run the script again when it has finished'
      : 'this window is watching another live run';
  }

  /** A process's taps said hello: our script's, or a run typed in a terminal that is adopted now. */
  liveConnected(connection: LiveConnection): void {
    const { hello } = connection;
    appendTestRecord({ kind: 'live-connected', pid: hello.pid, framework: hello.framework });
    const current = this.live?.run;
    if (current?.hasProcess && !current.connection && current.pid === hello.pid) {
      current.connection = connection;
      this.progress?.report({ message: `${this.live!.name}: connected, waiting for the first probe…` });
      return;
    }
    const name = hello.command?.[1] ? basename(hello.command[1]) : `pid ${hello.pid}`;
    this.setState({ ...emptyDashboardState(), status: 'running', started: this._state.started }, true);
    const run = new LiveTrainingRun(null, {
      log: (level, m) => this.deps.log[level](m),
      onExit: () => undefined,
    });
    run.connection = connection;
    // Set up before the next line of the same socket read arrives: the events follow at once.
    this.beginLive(run, name);
    void this.withLiveProgress(`watching ${name} (pid ${hello.pid}) live…`);
  }

  liveEvent(event: EngineEvent, connection: LiveConnection): void {
    if (this.live?.run.connection === connection) this.receive(event);
  }

  liveEnded(result: LiveResult, connection: LiveConnection): void {
    const live = this.live;
    if (!live || live.run.connection !== connection) return;
    live.ended = result;
    if (!result.report && result.errors.length === 0)
      this.fail(
        `${live.name}: the live taps' connection closed before anything was measured (${result.reason}).`,
      );
    this.settleLive();
  }

  private beginLive(run: LiveTrainingRun, name: string): void {
    this.current = run;
    this.live = {
      run,
      name,
      exit: null,
      ended: null,
      stopRequested: false,
      detached: false,
      lateTimer: null,
    };
  }

  /** The progress notification of the live run begun just before; resolves when it has ended. */
  private withLiveProgress(message: string): Thenable<void> {
    const live = this.live;
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Activation Lens', cancellable: true },
      (progress, token) =>
        new Promise<void>((resolve) => {
          // Ended before VS Code showed the notification (a script that failed at once).
          if (!live || this.live !== live) return resolve();
          this.progress = { report: (p) => progress.report(p), done: resolve, reported: 0 };
          progress.report({ message });
          token.onCancellationRequested(() => this.stop());
        }),
    );
  }

  private async stopLive(): Promise<void> {
    const live = this.live;
    if (!live) return;
    const choice: LiveStop | undefined = live.run.processRunning
      ? await (this.deps.askLiveStop ?? askLiveStop)(live.name)
      : 'watching';
    if (!choice || this.live !== live) return;
    if (choice === 'script') {
      this.deps.log.info(`live run ${live.name}: stopping the script (Ctrl-C)`);
      live.stopRequested = true;
      live.run.stopScript();
      this.progress?.report({ message: `stopping ${live.name}…` });
      return;
    }
    this.deps.log.info(
      `live run ${live.name}: no longer watched${live.run.processRunning ? '; the script trains on in its terminal' : ''}`,
    );
    this.detachLive();
  }

  /** Stops watching: the connection closes (its end settles the run) or, before it, the run just ends. */
  private detachLive(): void {
    const live = this.live;
    if (!live) return;
    live.detached = true;
    live.run.stopTaps();
    if (this.live === live) {
      if (this._state.status === 'running') this.setState(withStatus(this._state, 'cancelled'), true);
      this.finishLive();
    }
  }

  private liveScriptExited(run: LiveTrainingRun, exit: ScriptExit): void {
    const live = this.live;
    appendTestRecord({
      kind: 'live-exit',
      script: run.launch?.script ?? '',
      code: exit.code,
      signal: exit.signal,
    });
    this.deps.log.info(`live run: the script exited (code ${exit.code}, signal ${exit.signal})`);
    if (!live || live.run !== run) return;
    live.exit = exit;
    if (run.connection && !run.connection.finished)
      live.lateTimer = setTimeout(() => run.stopTaps(), LATE_END_MS);
    this.settleLive();
  }

  /** Ends the live run once the script has exited (if ours) and its connection has ended (if any). */
  private settleLive(): void {
    const live = this.live;
    if (!live) return;
    const { run, exit } = live;
    if (run.hasProcess && !exit && !live.detached) return;
    if (run.connection && !run.connection.finished) return;
    if (exit) {
      const how = exit.signal ? `was stopped (${exit.signal})` : `exited with code ${exit.code}`;
      const tail = exit.stderrTail.length ? ` Last output:\n${exit.stderrTail.slice(-5).join('\n')}` : '';
      const failed = exit.signal !== null || exit.code !== 0;
      if (!run.connection) this.fail(`${live.name} ${how} before the live taps connected.${tail}`, run);
      else if (failed && !live.stopRequested) this.fail(`${live.name} ${how}.${tail}`, run);
      else if (live.stopRequested && this._state.status === 'running')
        this.setState(withStatus(this._state, 'cancelled'), true);
    }
    this.finishLive();
  }

  private finishLive(): void {
    const live = this.live;
    if (live?.lateTimer) clearTimeout(live.lateTimer);
    this.live = null;
    this.current = null;
    this.progress?.done();
    this.progress = null;
    this.notifier.flush();
    this.stateChanged.fire();
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
          `backend: ${event.backend} (${event.backendDetail}); model ${event.model.name}, ${event.model.layers.length} layers; ${event.totalSteps > 0 ? `${event.totalSteps} steps` : 'steps as the script runs them'}`,
        );
        for (const part of event.model.omitted ?? [])
          this.deps.log.warn(
            `partial model: ${part.what} left out${part.source ? ` (${part.source.file}:${part.source.line})` : ''}: ${part.reason}`,
          );
        this.progress?.report({ message: `training on ${event.backend}…${partialNote(this._state)}` });
        break;
      case 'progress': {
        if (this.progress && event.totalSteps <= 0) {
          // A live run does not know its length: the step and the loss say how far it got.
          this.progress.report({
            message: `step ${event.step} · loss ${event.loss.toFixed(3)} · ${Math.round(event.samplesPerSecond)} samples/s`,
          });
          break;
        }
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

  private fail(message: string, script: LiveTrainingRun | null = null): void {
    this.setState(withStatus(this._state, 'failed', message), true);
    this.deps.log.error(message);
    this.showFailure(message, script);
  }

  private showFailure(message: string, script: LiveTrainingRun | null = null): void {
    appendTestRecord({ kind: 'error', message });
    if (script) {
      // A live script's own output is in its terminal; a retry would be the person's to start.
      const firstLine = message.split('\n')[0]!;
      void vscode.window.showErrorMessage(`Activation Lens: ${firstLine}`, 'Show Output').then((choice) => {
        if (choice === 'Show Output') script.showOutput();
      });
      return;
    }
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
        ? last.totalSteps > 0
          ? ` · ${last.step}/${last.totalSteps}`
          : ` · step ${last.step}`
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
    if (this.live?.lateTimer) clearTimeout(this.live.lateTimer);
    this.live = null;
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

/** Asks what Stop means for a script we started: stop watching it, or stop it. */
async function askLiveStop(script: string): Promise<LiveStop | undefined> {
  const choice = await vscode.window.showWarningMessage(
    `Activation Lens: stop watching ${script} (it trains on in its terminal), or stop the script (as Ctrl-C: it takes its final probe and ends)?`,
    STOP_WATCHING,
    STOP_SCRIPT,
  );
  return choice === STOP_WATCHING ? 'watching' : choice === STOP_SCRIPT ? 'script' : undefined;
}
