/**
 * Activation: registers every command, provider and view, and pushes each onto
 * context.subscriptions so VS Code disposes them all. Nothing heavy loads here: TF.js runs only in
 * the engine process, started by a command.
 */
import * as vscode from 'vscode';
import { join } from 'node:path';
import { isSwitchableToElu } from '../src/model/activation-families';
import type { EngineEvent, WebviewRequest } from '../src/protocol';
import { ModelDocuments } from './model-documents';
import { LayerLensProvider, sameFile } from './layer-lenses';
import { FindingDiagnostics } from './finding-diagnostics';
import { EluCodeActionProvider } from './elu-code-actions';
import { applyEluFix } from './apply-elu-fix';
import { DashboardViewProvider, DASHBOARD_VIEW_ID } from './dashboard-view';
import { RunController } from './run-controller';
import { buildRunConfig } from './run-config';
import { engineEnvironment } from './engine-environment';
import { installTfjsNode, installedTfjsNodeFolders } from './tfjs-node-install';
import { exportReport } from './export-report';
import { asUri, modelTarget } from './model-target';
import { appendTestRecord } from './test-log';
import { markRunStarted, registerWelcomeView } from './welcome-view';

const SELECTOR: vscode.DocumentSelector = [
  { language: 'python', scheme: 'file' },
  { language: 'javascript', scheme: 'file' },
  { language: 'typescript', scheme: 'file' },
  { pattern: '**/model.json', scheme: 'file' },
];

export function activate(context: vscode.ExtensionContext): void {
  const settings = () => vscode.workspace.getConfiguration('activationLens');
  const log = vscode.window.createOutputChannel('Activation Lens', { log: true });
  const documents = new ModelDocuments(null, (m) => log.debug(m)).watch(vscode.workspace);
  const diagnostics = new FindingDiagnostics(vscode.languages.createDiagnosticCollection('activationLens'));
  const version = String((context.extension.packageJSON as { version?: string }).version ?? '0.0.0');

  const specFor = (file: string) => {
    const doc = vscode.workspace.textDocuments.find((d) => sameFile(d.uri.fsPath, file));
    return doc ? documents.get(doc) : null;
  };

  let dashboard: DashboardViewProvider | null = null;
  const run = new RunController({
    log,
    launch: () => {
      const { execPath, env } = engineEnvironment({
        baseEnv: process.env,
        nodePath: settings().get<string>('nodePath', ''),
        tfjsNodePath: settings().get<string>('tfjsNodePath', ''),
        installedFolders: installedTfjsNodeFolders(context.globalStorageUri),
      });
      return { enginePath: join(context.extensionPath, 'dist', 'engine.js'), execPath, env };
    },
    onEvent: (event: EngineEvent) => {
      dashboard?.pushEvent(event);
      if (event.type === 'findings') diagnostics.setFindings(event.findings, specFor);
      if (event.type === 'run-finished') diagnostics.setFindings(event.report.findings, specFor);
    },
    onTransition: () => dashboard?.sendState(),
  });

  const analyze = async (arg?: unknown, whatIf: { layers: string[] } | null = null) => {
    if (!vscode.workspace.isTrusted) {
      void vscode.window
        .showWarningMessage(
          'Activation Lens: analysis trains the model on workspace data and settings, so it runs only in a trusted workspace. Trust this folder to analyze.',
          'Manage Workspace Trust',
        )
        .then((c) => {
          if (c) void vscode.commands.executeCommand('workbench.trust.manage');
        });
      return;
    }
    const file = whatIf && run.state.started ? run.state.started.model.file : modelTarget(arg);
    const folder =
      (file ? vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file)) : undefined) ??
      vscode.workspace.workspaceFolders?.[0];
    const config = buildRunConfig(
      (k) => settings().get(k),
      { file, workspaceFolder: folder?.uri.fsPath ?? null },
      whatIf,
    );
    markRunStarted();
    void dashboard?.reveal();
    await run.start(config);
  };

  /** The file of the last run, else the active editor's: where dashboard buttons act. */
  const runFile = (arg?: unknown): vscode.Uri | null => {
    const explicit = asUri(arg);
    if (explicit) return explicit;
    const file = run.state.started?.model.file ?? modelTarget(undefined);
    return file ? vscode.Uri.file(file) : null;
  };

  const applyFix = async (uriArg?: unknown, layerArg?: unknown) => {
    const uri = runFile(uriArg);
    if (!uri) {
      void vscode.window.showWarningMessage(
        'Activation Lens: the built-in example has no source file to edit. Open your model script and run the quick fix there.',
      );
      return null;
    }
    let layer = typeof layerArg === 'string' ? layerArg : null;
    await documents.ready();
    if (!layer) {
      const spec = documents.get(await vscode.workspace.openTextDocument(uri));
      const names = spec?.layers.filter((l) => isSwitchableToElu(l.activation)).map((l) => l.name) ?? [];
      layer =
        names.length === 1
          ? (names[0] ?? null)
          : ((await vscode.window.showQuickPick(names, { title: 'Switch which layer to ELU?' })) ?? null);
      if (!layer) return null;
    }
    return applyEluFix(documents, uri, layer, settings().get<number>('eluAlpha', 1.0));
  };

  const goToLayer = async (layerArg?: unknown, uriArg?: unknown) => {
    const uri = runFile(uriArg);
    if (typeof layerArg !== 'string' || !uri) {
      void vscode.window.showWarningMessage(
        'Activation Lens: this layer has no source location (built-in example or saved model).',
      );
      return;
    }
    await documents.ready();
    const document = await vscode.workspace.openTextDocument(uri);
    const source = documents.get(document)?.layers.find((l) => l.name === layerArg)?.source;
    if (!source) {
      void vscode.window.showWarningMessage(
        `Activation Lens: ${uri.fsPath}: no layer named ${layerArg} in the file as it is now.`,
      );
      return;
    }
    const at = new vscode.Position(source.line - 1, Math.max(0, source.column - 1));
    await vscode.window.showTextDocument(document, {
      selection: new vscode.Range(at, at),
      preserveFocus: false,
    });
  };

  const onRequest = (request: WebviewRequest) => {
    switch (request.type) {
      case 'analyze':
        return void analyze();
      case 'stop':
        return run.stop();
      case 'apply-fix':
        return void applyFix(undefined, request.layer);
      case 'run-what-if':
        return void analyze(undefined, { layers: request.layers });
      case 'go-to-layer':
        return void goToLayer(request.layer);
      case 'ready':
        return;
    }
  };
  dashboard = new DashboardViewProvider(
    context.extensionUri,
    () => run.state,
    onRequest,
    (m) => log.warn(m),
  );

  const lenses = new LayerLensProvider(documents, run, () => settings().get<boolean>('lenses.enabled', true));
  // The parsers (with the TypeScript compiler) load after activation returns: activation stays cheap.
  const started = Date.now();
  void import('../src/model/readers/source').then(
    (m) => {
      documents.setParser(m.parseModelSource);
      log.info(`model parsers loaded in ${Date.now() - started} ms`);
      lenses.refresh();
    },
    (e: unknown) =>
      log.error(`could not load the model parsers: ${e instanceof Error ? e.message : String(e)}`),
  );

  context.subscriptions.push(
    log,
    documents,
    diagnostics,
    run,
    dashboard,
    lenses,
    documents.onDidParse(({ document, spec }) => diagnostics.onParsed(document.uri.fsPath, spec)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('activationLens.lenses.enabled')) lenses.refresh();
    }),
    vscode.window.registerWebviewViewProvider(DASHBOARD_VIEW_ID, dashboard),
    registerWelcomeView(),
    vscode.languages.registerCodeLensProvider(SELECTOR, lenses),
    vscode.languages.registerCodeActionsProvider(
      SELECTOR,
      new EluCodeActionProvider(documents),
      EluCodeActionProvider.metadata,
    ),
    vscode.commands.registerCommand('activationLens.analyze', (arg?: unknown) => analyze(arg)),
    vscode.commands.registerCommand('activationLens.stop', () => run.stop()),
    vscode.commands.registerCommand('activationLens.runWhatIf', (layers?: unknown) =>
      analyze(undefined, {
        layers: Array.isArray(layers) ? layers.filter((l): l is string => typeof l === 'string') : [],
      }),
    ),
    vscode.commands.registerCommand('activationLens.openDashboard', () => dashboard?.reveal()),
    vscode.commands.registerCommand('activationLens.exportReport', (format?: unknown, target?: unknown) =>
      exportReport(run.state, version, format, target),
    ),
    vscode.commands.registerCommand('activationLens.installGpuBackend', () =>
      installTfjsNode('gpu', context.globalStorageUri, log),
    ),
    vscode.commands.registerCommand('activationLens.installCpuBackend', () =>
      installTfjsNode('cpu', context.globalStorageUri, log),
    ),
    vscode.commands.registerCommand('activationLens.applyEluFix', applyFix),
    vscode.commands.registerCommand('activationLens.goToLayer', goToLayer),
  );
  appendTestRecord({ kind: 'activated' });
  log.info(`Activation Lens ${version} activated`);
}

export function deactivate(): void {
  // Everything is in context.subscriptions; the engine process is killed by RunController.dispose.
}
