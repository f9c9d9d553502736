/**
 * The window's live listener (src/live/listener.ts), for as long as the extension runs: training
 * processes started by "Run Training with Live Taps", typed in an integrated terminal, or run
 * elsewhere by this user send their events here. While it listens:
 * - every integrated terminal created from now on gets ACTIVATION_LENS_ADDRESS, ACTIVATION_LENS_TOKEN
 *   and the bundled package on PYTHONPATH (the extension's EnvironmentVariableCollection, not
 *   persisted: the port and token change with every session), so `python -m activation_lens run
 *   train.py` typed there streams to this dashboard;
 * - the per-user endpoint file names it (src/live/endpoint-file.ts), for notebooks and other
 *   terminals; removed again on dispose (deactivation) if it is still this window's.
 * Receiving events executes nothing, so it listens in Restricted Mode too; what may start a process
 * is the command, which asks for trust.
 */
import type * as vscode from 'vscode';
import { LiveListener, type LiveHandler } from '../src/live/listener';
import type { LiveSettings } from '../src/live/live-run';
import { endpointFilePath, removeEndpointFile, writeEndpointFile } from '../src/live/endpoint-file';
import { withPythonPath } from '../src/live/python-package';
import type { LiveHello } from '../src/protocol';

export interface LiveHostDeps {
  handler: LiveHandler;
  /** A reason to refuse a process that says hello (another run is being watched), or null. */
  admit: (hello: LiveHello) => string | null;
  settings: () => LiveSettings;
  log: (level: 'info' | 'warn', message: string) => void;
  terminalEnvironment: vscode.EnvironmentVariableCollection | undefined;
  /** The folder holding activation_lens/, or null if the package is missing. */
  pythonDir: string | null;
  endpointFile?: string;
}

export class LiveHost implements vscode.Disposable {
  private listener: LiveListener | null = null;
  private disposed = false;
  private readonly endpointFile: string;
  readonly ready: Promise<LiveListener | null>;

  constructor(private readonly deps: LiveHostDeps) {
    this.endpointFile = deps.endpointFile ?? endpointFilePath();
    this.ready = this.start();
  }

  /** What a training process needs to reach this window (throws if the listener could not start). */
  async environment(): Promise<Record<string, string>> {
    const listener = await this.ready;
    if (!listener) throw new Error('the live listener could not start (see the Activation Lens log)');
    return listener.environment();
  }

  get current() {
    return this.listener?.current ?? null;
  }

  private async start(): Promise<LiveListener | null> {
    const { log } = this.deps;
    let listener: LiveListener;
    try {
      listener = await LiveListener.start({
        handler: this.deps.handler,
        log,
        settings: this.deps.settings,
        admit: this.deps.admit,
      });
    } catch (e) {
      log(
        'warn',
        `live listener: could not listen on 127.0.0.1 (${e instanceof Error ? e.message : String(e)})`,
      );
      return null;
    }
    if (this.disposed) {
      await listener.close();
      return null;
    }
    this.listener = listener;
    const env = listener.environment();
    const terminals = this.deps.terminalEnvironment;
    if (terminals) {
      terminals.persistent = false;
      terminals.description = 'Activation Lens: where live taps in this terminal send their events';
      terminals.replace('ACTIVATION_LENS_ADDRESS', env.ACTIVATION_LENS_ADDRESS);
      terminals.replace('ACTIVATION_LENS_TOKEN', env.ACTIVATION_LENS_TOKEN);
      // Replaced, not prepended: prepending "dir:" to an unset PYTHONPATH would leave an empty
      // entry, which puts the current folder on every terminal Python's sys.path.
      if (this.deps.pythonDir)
        terminals.replace('PYTHONPATH', withPythonPath(process.env, this.deps.pythonDir));
    }
    try {
      writeEndpointFile(this.endpointFile, {
        address: listener.address,
        token: listener.token,
        pid: process.pid,
      });
    } catch (e) {
      log(
        'warn',
        `live listener: ${this.endpointFile} not written (${e instanceof Error ? e.message : String(e)}); runs outside VS Code's terminals will not find this window`,
      );
    }
    log('info', `live listener on ${listener.address}`);
    return listener;
  }

  dispose(): void {
    this.disposed = true;
    removeEndpointFile(this.endpointFile, process.pid);
    this.deps.terminalEnvironment?.clear();
    void this.listener?.close();
    this.listener = null;
  }
}
