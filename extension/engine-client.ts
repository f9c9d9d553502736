/**
 * One engine process per run: fork dist/engine.js, send StartCommand, relay validated EngineEvents.
 * No `vscode` here, so it is tested against a real child process. Lifetime: created by a run,
 * disposed when the run ends (the process is killed if it is still there).
 * Stop: a cancel message; the engine finishes the step in progress and sends the partial report.
 * Only an engine that has not ended within the grace time (a step longer than usual included) is
 * killed.
 */
import { fork, type ChildProcess } from 'node:child_process';
import {
  cancelCommand,
  checkEngineEvent,
  startCommand,
  type EngineEvent,
  type RunConfig,
} from '../src/protocol';

export interface EngineRunOptions {
  enginePath: string;
  /** Node binary for the engine; default: this process's runtime (VS Code's, as Node). */
  execPath?: string;
  env?: NodeJS.ProcessEnv;
  /** After a cancel message, how long the engine gets to stop by itself, beyond one step's time. */
  killAfterMs?: number;
  onEvent: (event: EngineEvent) => void;
  /** The process ended; `finished` says whether a run-finished or error event came before it. */
  onExit: (exit: EngineExit) => void;
  onLog: (level: 'info' | 'warn' | 'error' | 'debug', message: string) => void;
}

export interface EngineExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** True when the engine reported an outcome (finished or a reported error) before exiting. */
  reported: boolean;
  cancelled: boolean;
  /** The last lines the engine wrote to stderr, for the error message. */
  stderrTail: string;
}

/** However slow the backend, a Stop ends the process within this much beyond the grace time. */
const MAX_STEP_GRACE_MS = 120_000;

export class EngineRun {
  private readonly child: ChildProcess;
  private reported = false;
  private cancelled = false;
  private exited = false;
  private killTimer: NodeJS.Timeout | null = null;
  private stderr = '';
  /** The last step the engine reported, and when: the time a step takes stretches the grace. */
  private lastStep: { step: number; at: number } | null = null;
  private stepMs = 0;

  constructor(
    readonly runId: string,
    config: RunConfig,
    private readonly options: EngineRunOptions,
  ) {
    this.child = fork(options.enginePath, [], {
      execPath: options.execPath || process.execPath,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    this.child.stdout?.setEncoding('utf8').on('data', (d: string) => this.logLines('debug', d));
    this.child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      this.stderr = (this.stderr + d).slice(-4000);
      this.logLines('warn', d);
    });
    this.child.on('message', (raw) => this.receive(raw));
    this.child.on('error', (e) => options.onLog('error', `engine process: ${e.message}`));
    this.child.on('exit', (code, signal) => {
      this.exited = true;
      if (this.killTimer) clearTimeout(this.killTimer);
      options.onExit({
        code,
        signal,
        reported: this.reported,
        cancelled: this.cancelled,
        stderrTail: this.stderr.trim().split('\n').slice(-8).join('\n'),
      });
    });
    this.child.send(startCommand(runId, config));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return !this.exited;
  }

  /**
   * Asks the engine to stop: it finishes the step in progress and sends run-finished with
   * cancelled: true. Killed only if it has not ended within the grace time plus two steps' time
   * (a slow backend's step may take longer than the grace alone).
   */
  cancel(): void {
    if (this.exited || this.cancelled) return;
    this.cancelled = true;
    if (this.child.connected) this.child.send(cancelCommand(this.runId));
    if (this.killTimer) clearTimeout(this.killTimer);
    const graceMs = (this.options.killAfterMs ?? 5000) + Math.min(2 * this.stepMs, MAX_STEP_GRACE_MS);
    this.killTimer = setTimeout(() => {
      this.options.onLog('warn', `engine did not stop within ${Math.round(graceMs)} ms; killing it`);
      this.child.kill('SIGKILL');
    }, graceMs);
  }

  dispose(): void {
    if (this.killTimer) clearTimeout(this.killTimer);
    if (!this.exited) this.child.kill('SIGKILL');
  }

  private receive(raw: unknown): void {
    const parsed = checkEngineEvent(raw);
    if (!parsed.ok) {
      this.options.onLog(
        'warn',
        `ignored a malformed engine message (${parsed.error}): ${JSON.stringify(raw)?.slice(0, 200)}`,
      );
      return;
    }
    const event = parsed.value;
    if (event.runId !== this.runId) return;
    if (event.type === 'progress') this.timeStep(event.step);
    if (event.type === 'run-finished' || event.type === 'error') this.reported = true;
    this.options.onEvent(event);
    // One process per run: once the outcome is in, let the engine go (it exits on disconnect).
    if (this.reported) this.release();
  }

  private timeStep(step: number): void {
    const now = Date.now();
    if (this.lastStep && step > this.lastStep.step)
      this.stepMs = (now - this.lastStep.at) / (step - this.lastStep.step);
    if (!this.lastStep || step !== this.lastStep.step) this.lastStep = { step, at: now };
  }

  private release(): void {
    if (this.child.connected) this.child.disconnect();
    this.killTimer ??= setTimeout(() => this.child.kill('SIGKILL'), this.options.killAfterMs ?? 5000);
  }

  private logLines(level: 'debug' | 'warn', chunk: string): void {
    for (const line of chunk.split('\n')) if (line.trim()) this.options.onLog(level, `[engine] ${line}`);
  }
}
