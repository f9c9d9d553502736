/**
 * One engine process per run: fork dist/engine.js, send StartCommand, relay validated EngineEvents.
 * No `vscode` here, so it is tested against a real child process. Lifetime: created by a run,
 * disposed when the run ends (the process is killed if it is still there).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { PROTOCOL_VERSION, parseEngineEvent, type EngineEvent, type RunConfig } from '../src/protocol';

export interface EngineRunOptions {
  enginePath: string;
  /** Node binary for the engine; default: this process's runtime (VS Code's, as Node). */
  execPath?: string;
  env?: NodeJS.ProcessEnv;
  /** After a cancel message, how long the engine gets to stop by itself. */
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

export class EngineRun {
  private readonly child: ChildProcess;
  private reported = false;
  private cancelled = false;
  private exited = false;
  private killTimer: NodeJS.Timeout | null = null;
  private stderr = '';

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
    this.child.send({ v: PROTOCOL_VERSION, type: 'start', runId, config });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return !this.exited;
  }

  /** Asks the engine to stop (it sends run-finished with cancelled: true); kills it if it does not. */
  cancel(): void {
    if (this.exited || this.cancelled) return;
    this.cancelled = true;
    if (this.child.connected) this.child.send({ v: PROTOCOL_VERSION, type: 'cancel', runId: this.runId });
    if (this.killTimer) clearTimeout(this.killTimer);
    this.killTimer = setTimeout(() => {
      this.options.onLog(
        'warn',
        `engine did not stop within ${this.options.killAfterMs ?? 5000} ms; killing it`,
      );
      this.child.kill('SIGKILL');
    }, this.options.killAfterMs ?? 5000);
  }

  dispose(): void {
    if (this.killTimer) clearTimeout(this.killTimer);
    if (!this.exited) this.child.kill('SIGKILL');
  }

  private receive(raw: unknown): void {
    const event = parseEngineEvent(raw);
    if (!event) {
      this.options.onLog('warn', `ignored a malformed engine message: ${JSON.stringify(raw).slice(0, 200)}`);
      return;
    }
    if (event.runId !== this.runId) return;
    if (event.type === 'run-finished' || event.type === 'error') this.reported = true;
    this.options.onEvent(event);
    // One process per run: once the outcome is in, let the engine go (it exits on disconnect).
    if (this.reported) this.release();
  }

  private release(): void {
    if (this.child.connected) this.child.disconnect();
    this.killTimer ??= setTimeout(() => this.child.kill('SIGKILL'), this.options.killAfterMs ?? 5000);
  }

  private logLines(level: 'debug' | 'warn', chunk: string): void {
    for (const line of chunk.split('\n')) if (line.trim()) this.options.onLog(level, `[engine] ${line}`);
  }
}
