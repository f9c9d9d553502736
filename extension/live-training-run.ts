/**
 * One training run watched live: the person's script, started by "Run Training with Live Taps" as a
 * child process (no shell; `python -m activation_lens run -- script.py`) whose output goes to its
 * own terminal — or, for a run typed in a terminal, no process of ours at all — and the listener
 * connection its taps' events come through once they say hello.
 *
 * Stopping has two meanings here: stop watching (the connection closes; the taps stop sending and
 * the script trains on, its own report still written) or stop the script (SIGINT, as Ctrl-C: it
 * takes its final probe and ends its run; killed if it has not exited within the grace time).
 */
import * as vscode from 'vscode';
import { spawn, type ChildProcess } from 'node:child_process';
import { basename } from 'node:path';
import type { LiveConnection } from '../src/live/listener';
import { ScriptTerminal } from './script-terminal';

export interface ScriptLaunch {
  python: string;
  script: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export interface ScriptExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The script's last stderr lines, for the message when it failed. */
  stderrTail: string[];
}

export interface LiveTrainingOptions {
  onExit: (exit: ScriptExit) => void;
  log: (level: 'info' | 'warn' | 'error', message: string) => void;
  /** After SIGINT, how long the script gets to end its run before it is killed. */
  killAfterMs?: number;
}

const STDERR_LINES = 12;

export class LiveTrainingRun {
  connection: LiveConnection | null = null;
  private readonly child: ChildProcess | null = null;
  private readonly terminal: vscode.Terminal | null = null;
  private readonly pty: ScriptTerminal | null = null;
  private exited = false;
  private stderr = '';
  private killTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    readonly launch: ScriptLaunch | null,
    private readonly options: LiveTrainingOptions,
  ) {
    if (!launch) return;
    const name = basename(launch.script);
    this.pty = new ScriptTerminal({
      interrupt: () => this.stopScript(),
      input: (line) => this.child?.stdin?.write(line),
      closed: () => {
        if (!this.exited) this.stopScript();
      },
    });
    this.terminal = vscode.window.createTerminal({ name: `Activation Lens: ${name}`, pty: this.pty });
    this.terminal.show(true);
    const argv = ['-m', 'activation_lens', 'run', '--', launch.script, ...launch.args];
    this.pty.write(`${launch.python} ${argv.join(' ')}\n`);
    this.child = spawn(launch.python, argv, {
      cwd: launch.cwd,
      env: launch.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stdout?.setEncoding('utf8').on('data', (d: string) => this.pty?.write(d));
    this.child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      this.pty?.write(d);
      this.stderr = (this.stderr + d).slice(-16_000);
    });
    this.child.stdin?.on('error', () => undefined);
    this.child.on('error', (e) => {
      this.pty?.write(`\n${launch.python}: ${e.message}\n`);
      this.finish(null, null);
    });
    this.child.on('exit', (code, signal) => this.finish(code, signal));
  }

  /** Started by us (not a run typed in a terminal that connected on its own). */
  get hasProcess(): boolean {
    return this.child !== null;
  }

  get running(): boolean {
    return (this.child !== null && !this.exited) || (this.connection !== null && !this.connection.finished);
  }

  /** The script's process id: its taps' hello names it (the runner runs the script in-process). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  get processRunning(): boolean {
    return this.child !== null && !this.exited;
  }

  /** Stops watching: the taps' connection closes; the script (if ours) trains on. */
  stopTaps(): void {
    this.connection?.stop();
  }

  /** Stops the script as Ctrl-C would; kills it if it has not ended within the grace time. */
  stopScript(): void {
    if (!this.child || this.exited) return;
    this.child.kill('SIGINT');
    this.killTimer ??= setTimeout(() => {
      this.options.log('warn', `${this.launch?.script}: did not stop after Ctrl-C; killing it`);
      this.child?.kill('SIGKILL');
    }, this.options.killAfterMs ?? 10_000);
  }

  /** Brings the script's terminal to the front. */
  showOutput(): void {
    this.terminal?.show(false);
  }

  dispose(): void {
    if (this.killTimer) clearTimeout(this.killTimer);
    if (this.child && !this.exited) this.child.kill('SIGKILL');
    if (this.connection && !this.connection.finished) this.connection.stop();
  }

  private finish(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.exited) return;
    this.exited = true;
    if (this.killTimer) clearTimeout(this.killTimer);
    const how = signal ? `was stopped (${signal})` : `exited with code ${code}`;
    this.pty?.write(`\n[${basename(this.launch?.script ?? 'script')} ${how}]\n`);
    this.options.onExit({
      code,
      signal,
      stderrTail: this.stderr
        .split(/\r?\n/)
        .map((l) => l.trimEnd())
        .filter((l) => l.trim() !== '')
        .slice(-STDERR_LINES),
    });
  }
}
