/**
 * What lives as long as the extension: the log, the parsed model documents, the Problems entries,
 * the run controller (which owns each engine process for as long as one run lasts), the dashboard
 * and the lenses. Everything created or registered here is pushed onto the extension context's
 * subscriptions, so VS Code disposes all of it on deactivation.
 */
import * as vscode from 'vscode';
import { join } from 'node:path';
import type { EngineEvent, WebviewRequest } from '../src/protocol';
import type { ModelSpec } from '../src/model/spec';
import { ModelDocuments } from './model-documents';
import { LayerLensProvider, sameFile } from './layer-lenses';
import { FindingDiagnostics } from './finding-diagnostics';
import { Dashboards } from './dashboards';
import { RunHistory, RUNS_DEFAULT_CAP } from './run-history';
import { RunsTreeProvider, runLabel } from './runs-view';
import { stateFromSavedRun } from '../src/saved-run';
import { RunController, type EngineLaunch } from './run-controller';
import { engineEnvironment } from './engine-environment';
import { installedTfjsNodeFolders } from './tfjs-node-install';
import { MachineSettings } from './machine-settings';
import { ModelChoices } from './model-choice';
import { LiveHost } from './live-host';
import { liveOptions } from './live-options';
import { bundledPythonDir } from '../src/live/python-package';

/** A command: given the context, the handler VS Code calls with the command's arguments. */
export type Command = (ctx: Ctx) => (...args: unknown[]) => unknown;

export class Ctx {
  readonly log: vscode.LogOutputChannel;
  readonly documents: ModelDocuments;
  readonly diagnostics: FindingDiagnostics;
  readonly run: RunController;
  /** The sidebar's summary and the editor tab, and which run they show. */
  readonly dashboard: Dashboards;
  /** Finished runs, kept in the workspace's storage; the Runs view lists them. */
  readonly history: RunHistory;
  readonly runsTree: RunsTreeProvider;
  readonly lenses: LayerLensProvider;
  /** The window's live listener: where live training runs send their events. */
  readonly live: LiveHost;
  readonly version: string;
  /** nodePath / tfjsNodePath: from the user's settings only (extension/machine-settings.ts). */
  readonly machineSettings: MachineSettings;
  /** The model picked per file for this session, in files that define several. */
  readonly modelChoices = new ModelChoices();

  constructor(
    readonly context: vscode.ExtensionContext,
    answerWebview: (ctx: Ctx, request: WebviewRequest) => void,
  ) {
    this.version = String((context.extension.packageJSON as { version?: string }).version ?? '0.0.0');
    this.log = vscode.window.createOutputChannel('Activation Lens', { log: true });
    this.machineSettings = new MachineSettings((m) => this.log.warn(m));
    this.documents = new ModelDocuments(null, (level, m) => this.log[level](m)).watch(vscode.workspace);
    this.diagnostics = new FindingDiagnostics(vscode.languages.createDiagnosticCollection('activationLens'));
    this.run = new RunController({
      log: this.log,
      launch: () => this.engineLaunch(),
      onEvent: (event) => this.onEngineEvent(event),
      onTransition: () => this.dashboard.sendState(),
    });
    this.history = new RunHistory(
      join((context.storageUri ?? context.globalStorageUri).fsPath, 'runs'),
      (level, m) => this.log[level](m),
      () => this.runsCap(),
    );
    this.dashboard = new Dashboards({
      extensionUri: context.extensionUri,
      live: () => this.run.state,
      onRequest: (request) => answerWebview(this, request),
      log: (m) => this.log.warn(m),
      latestSaved: async () => {
        const [latest] = await this.history.list();
        return latest
          ? {
              id: latest.id,
              label: runLabel(latest),
              state: stateFromSavedRun(await this.history.load(latest.id)),
            }
          : null;
      },
    });
    this.runsTree = new RunsTreeProvider(this.history, () => ({
      shown: this.dashboard.shownSaved?.id ?? null,
      compared: this.dashboard.comparedId,
    }));
    this.lenses = new LayerLensProvider(this.documents, this.run, () =>
      this.settings().get<boolean>('lenses.enabled', true),
    );
    this.live = new LiveHost({
      handler: {
        onHello: (c) => this.run.liveConnected(c),
        onEvent: (e, c) => this.run.liveEvent(e, c),
        onEnd: (r, c) => this.run.liveEnded(r, c),
      },
      admit: (hello) => this.run.admitLive(hello),
      settings: () => liveOptions((k) => this.settings().get(k)).settings,
      log: (level, m) => this.log[level](m),
      terminalEnvironment: context.environmentVariableCollection,
      pythonDir: bundledPythonDir(join(context.extensionPath, 'dist')),
    });
    this.push(this.log, this.documents, this.diagnostics, this.run, this.dashboard, this.lenses, this.live);
    this.push(
      this.history,
      this.runsTree,
      this.run.onDidFinishRun((state) => void this.history.record(state)),
    );
  }

  /** activationLens.runs.*: how much the Runs view may keep (the oldest runs go first). */
  runsCap(): { maxRuns: number; maxBytes: number } {
    const maxRuns = this.settings().get<number>('runs.maxRuns', RUNS_DEFAULT_CAP.maxRuns);
    const maxMegabytes = this.settings().get<number>(
      'runs.maxMegabytes',
      RUNS_DEFAULT_CAP.maxBytes / 2 ** 20,
    );
    return {
      maxRuns: Number.isInteger(maxRuns) && maxRuns >= 1 ? maxRuns : RUNS_DEFAULT_CAP.maxRuns,
      maxBytes:
        Number.isFinite(maxMegabytes) && maxMegabytes > 0
          ? maxMegabytes * 2 ** 20
          : RUNS_DEFAULT_CAP.maxBytes,
    };
  }

  /** `activationLens.*`, read fresh each time: the person may change settings between runs. */
  settings(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration('activationLens');
  }

  /** Registers `activationLens.<name>`; disposed with the extension. */
  registerCommand(name: string, command: Command): void {
    this.push(vscode.commands.registerCommand(`activationLens.${name}`, command(this)));
  }

  push(...disposables: vscode.Disposable[]): void {
    this.context.subscriptions.push(...disposables);
  }

  /**
   * The last parsed model of an open document, for recording which activation a finding was about
   * (synchronous: findings arrive as engine events; diagnostics follow each later parse).
   */
  specFor(file: string): ModelSpec | null {
    const doc = vscode.workspace.textDocuments.find((d) => sameFile(d.uri.fsPath, file));
    return doc ? this.documents.lastKnown(doc) : null;
  }

  private engineLaunch(): EngineLaunch {
    const { execPath, env } = engineEnvironment({
      baseEnv: process.env,
      nodePath: this.machineSettings.read(this.settings(), 'nodePath'),
      tfjsNodePath: this.machineSettings.read(this.settings(), 'tfjsNodePath'),
      installedFolders: installedTfjsNodeFolders(this.context.globalStorageUri),
    });
    return { enginePath: join(this.context.extensionPath, 'dist', 'engine.js'), execPath, env };
  }

  private onEngineEvent(event: EngineEvent): void {
    this.dashboard.pushEvent(event);
    const specFor = (file: string) => this.specFor(file);
    if (event.type === 'findings') this.diagnostics.setFindings(event.findings, specFor);
    if (event.type === 'run-finished') this.diagnostics.setFindings(event.report.findings, specFor);
  }
}
