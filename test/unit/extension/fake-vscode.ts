/**
 * A small hand-written stand-in for the `vscode` module, enough for the host modules' unit tests.
 * Importing this file first makes `require('vscode')` (external in the test bundle) return it.
 * It records what the code under test did (messages shown, edits applied, diagnostics set) so the
 * tests assert on that; it does not pretend to be VS Code beyond the calls listed here.
 */
import Module from 'node:module';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';

// The extension writes its live endpoint file while it listens: in tests, never in the real home.
process.env.ACTIVATION_LENS_ENDPOINT_FILE ??= join(
  mkdtempSync(join(tmpdir(), 'al-endpoint-')),
  'endpoint.json',
);

export class Position {
  constructor(
    readonly line: number,
    readonly character: number,
  ) {}
}

export class Range {
  readonly start: Position;
  readonly end: Position;
  constructor(a: number | Position, b: number | Position, c?: number, d?: number) {
    this.start = typeof a === 'number' ? new Position(a, b as number) : a;
    this.end = typeof a === 'number' ? new Position(c as number, d as number) : (b as Position);
  }
}
export class Selection extends Range {}

export class Uri {
  private constructor(
    readonly scheme: string,
    readonly fsPath: string,
    private readonly raw: string,
  ) {}
  static file(path: string): Uri {
    return new Uri('file', path, pathToFileURL(path).href);
  }
  static parse(value: string): Uri {
    const scheme = value.slice(0, value.indexOf(':'));
    return new Uri(scheme, scheme === 'file' ? fileURLToPath(value) : value, value);
  }
  static joinPath(base: Uri, ...parts: string[]): Uri {
    return Uri.file([base.fsPath, ...parts].join('/'));
  }
  toString(): string {
    return this.raw;
  }
}

export class Disposable {
  constructor(private readonly fn: () => void) {}
  dispose(): void {
    this.fn();
  }
}

export class EventEmitter<T> {
  private listeners: ((e: T) => void)[] = [];
  readonly event = (listener: (e: T) => void): Disposable => {
    this.listeners.push(listener);
    return new Disposable(() => (this.listeners = this.listeners.filter((l) => l !== listener)));
  };
  fire(e: T): void {
    for (const l of [...this.listeners]) l(e);
  }
  dispose(): void {
    this.listeners = [];
  }
}

export class CodeLens {
  constructor(
    readonly range: Range,
    readonly command?: { title: string; command: string; arguments?: unknown[]; tooltip?: string },
  ) {}
}

export const CodeActionKind = { QuickFix: { value: 'quickfix' } };
export class CodeAction {
  command?: { title: string; command: string; arguments?: unknown[] };
  diagnostics?: Diagnostic[];
  isPreferred?: boolean;
  constructor(
    readonly title: string,
    readonly kind: unknown,
  ) {}
}

export enum DiagnosticSeverity {
  Error = 0,
  Warning = 1,
  Information = 2,
  Hint = 3,
}
export class Diagnostic {
  source?: string;
  code?: string | number | { value: string | number; target: Uri };
  constructor(
    readonly range: Range,
    readonly message: string,
    readonly severity: DiagnosticSeverity,
  ) {}
}

export class WorkspaceEdit {
  readonly edits: { uri: Uri; range: Range; newText: string }[] = [];
  replace(uri: Uri, range: Range, newText: string): void {
    this.edits.push({ uri, range, newText });
  }
}

export enum ViewColumn {
  Active = -1,
  Beside = -2,
  One = 1,
}

export enum TreeItemCollapsibleState {
  None = 0,
  Collapsed = 1,
  Expanded = 2,
}
export class TreeItem {
  id?: string;
  description?: string;
  tooltip?: unknown;
  iconPath?: unknown;
  contextValue?: string;
  command?: { title: string; command: string; arguments?: unknown[] };
  constructor(
    readonly label: string,
    readonly collapsibleState: TreeItemCollapsibleState = TreeItemCollapsibleState.None,
  ) {}
}
export class ThemeIcon {
  constructor(readonly id: string) {}
}
export class MarkdownString {
  constructor(readonly value: string) {}
}

/** A webview as the dashboards see it: what was posted, and a way to send it a message. */
export function fakeWebview() {
  const fromWebview = new EventEmitter<unknown>();
  const posted: unknown[] = [];
  return {
    options: {} as { enableScripts?: boolean; localResourceRoots?: { fsPath: string }[] },
    html: '',
    cspSource: 'vscode-resource:',
    asWebviewUri: (u: Uri) => u,
    postMessage: (m: unknown) => {
      posted.push(m);
      return Promise.resolve(true);
    },
    onDidReceiveMessage: fromWebview.event,
    posted,
    send: (m: unknown) => fromWebview.fire(m),
  };
}

export type FakeWebview = ReturnType<typeof fakeWebview>;

/** An editor-tab webview; `close()` is the person closing the tab. */
export function fakeWebviewPanel(viewType: string, title = '') {
  const disposed = new EventEmitter<void>();
  const viewState = new EventEmitter<void>();
  const panel = {
    viewType,
    title,
    iconPath: undefined as unknown,
    webview: fakeWebview(),
    revealed: 0,
    disposed: false,
    visible: true,
    reveal() {
      panel.revealed++;
      panel.setVisible(true);
    },
    /** Test helper: another tab covers this one (or it comes back). */
    setVisible(visible: boolean) {
      if (panel.visible === visible) return;
      panel.visible = visible;
      viewState.fire();
    },
    onDidChangeViewState: viewState.event,
    onDidDispose: disposed.event,
    dispose() {
      if (panel.disposed) return;
      panel.disposed = true;
      disposed.fire();
    },
  };
  return panel;
}

export type FakeWebviewPanel = ReturnType<typeof fakeWebviewPanel>;

export enum StatusBarAlignment {
  Left = 1,
  Right = 2,
}
export enum ProgressLocation {
  SourceControl = 1,
  Window = 10,
  Notification = 15,
}

export interface FakeDocument {
  uri: Uri;
  fileName: string;
  languageId: string;
  version: number;
  getText(): string;
}

/** A text document; `edit` replaces its text and bumps the version like an editor would. */
export function fakeDocument(
  path: string,
  text: string,
  languageId = 'python',
): FakeDocument & { setText(t: string): void } {
  let current = text;
  const doc = {
    uri: Uri.file(path),
    fileName: path,
    languageId,
    version: 1,
    getText: () => current,
    setText(t: string) {
      current = t;
      doc.version++;
    },
  };
  return doc;
}

/** Everything the fake saw; tests reset it with `fake.reset()`. */
export const recorded = {
  registeredCommands: new Map<string, (...args: unknown[]) => unknown>(),
  registrations: [] as string[],
  log: [] as string[],
  statusBarText: '',
  writtenFiles: new Map<string, string>(),
  messages: [] as { level: 'info' | 'warning' | 'error'; text: string; items: string[] }[],
  /** What the person clicks on the next messages (undefined: dismissed). */
  messageAnswer: undefined as string | undefined,
  appliedEdits: [] as WorkspaceEdit[],
  diagnostics: new Map<string, Diagnostic[]>(),
  commands: [] as { command: string; args: unknown[] }[],
  panels: [] as FakeWebviewPanel[],
  serializers: new Map<string, { deserializeWebviewPanel(panel: unknown, state: unknown): Promise<void> }>(),
  treeViews: new Map<string, { treeDataProvider: unknown; canSelectMany?: boolean }>(),
  /** Files the fake's workspace.fs can read (by fsPath). */
  readableFiles: new Map<string, Uint8Array>(),
  saveDialogAnswer: undefined as Uri | undefined,
  documents: [] as FakeDocument[],
  /** `activationLens.*` from the user's settings. */
  configuration: {} as Record<string, unknown>,
  /** `activationLens.*` from the workspace's .vscode/settings.json (they win in `get`, as in VS Code). */
  workspaceConfiguration: {} as Record<string, unknown>,
  applyEditResult: true,
  /** Messages reported to progress notifications, in order. */
  progress: [] as string[],
  /** Quick picks shown (their titles and item labels); the answer is `pickAnswer(items)`. */
  quickPicks: [] as { title: string; labels: string[] }[],
  pickAnswer: (() => undefined) as (items: { label: string }[]) => { label: string } | undefined,
  /** Terminals created, with what their pseudoterminal wrote. */
  terminals: [] as { name: string; output: string; pty: unknown }[],
  /** Extensions `vscode.extensions.getExtension` finds, by id. */
  extensions: new Map<string, { isActive: boolean; activate(): Promise<unknown>; exports: unknown }>(),
};

export function reset(): void {
  recorded.registeredCommands.clear();
  recorded.registrations.length = 0;
  recorded.log.length = 0;
  recorded.statusBarText = '';
  recorded.writtenFiles.clear();
  recorded.messages.length = 0;
  recorded.messageAnswer = undefined;
  recorded.appliedEdits.length = 0;
  recorded.diagnostics.clear();
  recorded.commands.length = 0;
  recorded.panels.length = 0;
  recorded.serializers.clear();
  recorded.treeViews.clear();
  recorded.readableFiles.clear();
  recorded.saveDialogAnswer = undefined;
  recorded.progress.length = 0;
  recorded.quickPicks.length = 0;
  recorded.pickAnswer = () => undefined;
  recorded.documents.length = 0;
  recorded.configuration = {};
  recorded.workspaceConfiguration = {};
  recorded.applyEditResult = true;
  recorded.terminals.length = 0;
  recorded.extensions.clear();
  workspace.isTrusted = true;
}

/** An EnvironmentVariableCollection that records what the extension put in it. */
export class FakeEnvironmentVariableCollection {
  persistent = true;
  description: string | undefined;
  readonly values = new Map<string, { kind: 'replace' | 'prepend' | 'append'; value: string }>();
  replace(variable: string, value: string): void {
    this.values.set(variable, { kind: 'replace', value });
  }
  prepend(variable: string, value: string): void {
    this.values.set(variable, { kind: 'prepend', value });
  }
  append(variable: string, value: string): void {
    this.values.set(variable, { kind: 'append', value });
  }
  clear(): void {
    this.values.clear();
  }
}

const show =
  (level: 'info' | 'warning' | 'error') =>
  (text: string, ...items: unknown[]) => {
    recorded.messages.push({ level, text, items: items.filter((i): i is string => typeof i === 'string') });
    return Promise.resolve(recorded.messageAnswer);
  };

const changeEmitter = new EventEmitter<{ document: FakeDocument; contentChanges: unknown[] }>();
const closeEmitter = new EventEmitter<FakeDocument>();

export const workspace = {
  isTrusted: true,
  workspaceFolders: undefined as undefined | { uri: Uri }[],
  get textDocuments() {
    return recorded.documents;
  },
  onDidChangeTextDocument: changeEmitter.event,
  onDidCloseTextDocument: closeEmitter.event,
  /** Test helper: simulate an edit notification. */
  fireChange(document: FakeDocument) {
    changeEmitter.fire({ document, contentChanges: [{}] });
  },
  openTextDocument(uri: Uri): Promise<FakeDocument> {
    const doc = recorded.documents.find((d) => d.uri.toString() === uri.toString());
    return doc ? Promise.resolve(doc) : Promise.reject(new Error(`fake: no document ${uri.fsPath}`));
  },
  applyEdit(edit: WorkspaceEdit): Promise<boolean> {
    recorded.appliedEdits.push(edit);
    return Promise.resolve(recorded.applyEditResult);
  },
  getConfiguration() {
    const layers = () => [recorded.workspaceConfiguration, recorded.configuration];
    return {
      get: <T>(key: string, fallback?: T) => {
        const layer = layers().find((l) => key in l);
        return layer ? (layer[key] as T) : fallback;
      },
      inspect: <T>(key: string) => ({
        key: `activationLens.${key}`,
        globalValue: recorded.configuration[key] as T | undefined,
        workspaceValue: recorded.workspaceConfiguration[key] as T | undefined,
      }),
    };
  },
  getWorkspaceFolder: () => undefined,
  onDidChangeConfiguration: new EventEmitter<unknown>().event,
  fs: {
    writeFile(uri: Uri, content: Uint8Array) {
      recorded.writtenFiles.set(uri.fsPath, new TextDecoder().decode(content));
      return Promise.resolve();
    },
    readFile(uri: Uri) {
      const bytes = recorded.readableFiles.get(uri.fsPath);
      return bytes ? Promise.resolve(bytes) : Promise.reject(new Error(`fake: cannot read ${uri.fsPath}`));
    },
  },
};

/** Keeps a registration visible in `recorded.registrations` until disposed. */
function registration(name: string): Disposable {
  recorded.registrations.push(name);
  return new Disposable(() => {
    const i = recorded.registrations.indexOf(name);
    if (i >= 0) recorded.registrations.splice(i, 1);
  });
}

export const window = {
  showInformationMessage: show('info'),
  showWarningMessage: show('warning'),
  showErrorMessage: show('error'),
  activeTextEditor: undefined,
  tabGroups: { activeTabGroup: { activeTab: undefined } },
  createOutputChannel(name: string) {
    const line = (level: string) => (m: string) => recorded.log.push(`${level} ${m}`);
    const d = registration(`output:${name}`);
    return {
      name,
      info: line('info'),
      warn: line('warn'),
      error: line('error'),
      debug: line('debug'),
      trace: line('trace'),
      show: () => undefined,
      dispose: () => d.dispose(),
    };
  },
  createStatusBarItem(id: string) {
    const d = registration(`statusbar:${id}`);
    const item = {
      name: '',
      command: '',
      tooltip: '',
      get text() {
        return recorded.statusBarText;
      },
      set text(t: string) {
        recorded.statusBarText = t;
      },
      show: () => undefined,
      hide: () => undefined,
      dispose: () => d.dispose(),
    };
    return item;
  },
  withProgress<R>(
    _options: unknown,
    task: (
      p: { report(v: unknown): void },
      token: { onCancellationRequested(l: () => void): Disposable },
    ) => Promise<R>,
  ): Promise<R> {
    const cancel = new EventEmitter<void>();
    const report = (v: unknown) => {
      const message = (v as { message?: unknown }).message;
      if (typeof message === 'string') recorded.progress.push(message);
    };
    return task({ report }, { onCancellationRequested: (l) => cancel.event(l) });
  },
  registerWebviewViewProvider: (id: string) => registration(`webview:${id}`),
  registerTreeDataProvider: (id: string) => registration(`tree:${id}`),
  createTreeView(id: string, options: { treeDataProvider: unknown; canSelectMany?: boolean }) {
    recorded.treeViews.set(id, options);
    const d = registration(`treeview:${id}`);
    return { dispose: () => (recorded.treeViews.delete(id), d.dispose()) };
  },
  registerWebviewPanelSerializer(
    viewType: string,
    serializer: { deserializeWebviewPanel(panel: unknown, state: unknown): Promise<void> },
  ) {
    recorded.serializers.set(viewType, serializer);
    const d = registration(`serializer:${viewType}`);
    return new Disposable(() => (recorded.serializers.delete(viewType), d.dispose()));
  },
  createWebviewPanel(viewType: string, title: string) {
    const panel = fakeWebviewPanel(viewType, title);
    recorded.panels.push(panel);
    return panel;
  },
  showQuickPick(items: ({ label: string } | string)[], options?: { title?: string }) {
    const labelled = items.map((i) => (typeof i === 'string' ? { label: i } : i));
    recorded.quickPicks.push({ title: options?.title ?? '', labels: labelled.map((i) => i.label) });
    const answer = recorded.pickAnswer(labelled);
    return Promise.resolve(answer && typeof items[0] === 'string' ? answer.label : answer);
  },
  showSaveDialog: () => Promise.resolve(recorded.saveDialogAnswer),
  createTerminal(options: {
    name: string;
    pty: { onDidWrite(l: (text: string) => void): unknown; open(d: unknown): void; close(): void };
  }) {
    const terminal = { name: options.name, output: '', pty: options.pty };
    recorded.terminals.push(terminal);
    options.pty.onDidWrite((text) => (terminal.output += text));
    // VS Code opens a pseudoterminal shortly after creating it.
    setImmediate(() => options.pty.open(undefined));
    return { name: options.name, show: () => undefined, dispose: () => options.pty.close() };
  },
  showTextDocument: () => Promise.resolve(undefined),
};

export const languages = {
  registerCodeLensProvider: () => registration('codelens'),
  registerCodeActionsProvider: () => registration('codeactions'),
  createDiagnosticCollection(name: string) {
    const d = registration(`diagnostics:${name}`);
    return {
      name,
      set(uri: Uri, diagnostics: Diagnostic[]) {
        recorded.diagnostics.set(uri.fsPath, diagnostics);
      },
      clear() {
        recorded.diagnostics.clear();
      },
      dispose() {
        recorded.diagnostics.clear();
        d.dispose();
      },
    };
  },
};

export const commands = {
  registerCommand(id: string, fn: (...args: unknown[]) => unknown) {
    recorded.registeredCommands.set(id, fn);
    const d = registration(`command:${id}`);
    return new Disposable(() => {
      recorded.registeredCommands.delete(id);
      d.dispose();
    });
  },
  executeCommand(command: string, ...args: unknown[]) {
    recorded.commands.push({ command, args });
    const fn = recorded.registeredCommands.get(command);
    return Promise.resolve(fn ? fn(...args) : undefined);
  },
};

export const extensions = {
  getExtension(id: string) {
    return recorded.extensions.get(id);
  },
};

const fakeModule = {
  Position,
  Range,
  Selection,
  Uri,
  Disposable,
  EventEmitter,
  CodeLens,
  CodeAction,
  CodeActionKind,
  Diagnostic,
  DiagnosticSeverity,
  WorkspaceEdit,
  ViewColumn,
  TreeItem,
  TreeItemCollapsibleState,
  ThemeIcon,
  MarkdownString,
  StatusBarAlignment,
  ProgressLocation,
  workspace,
  window,
  languages,
  commands,
  extensions,
};

// `vscode` is external in the test bundle, so the host modules call require('vscode') at run time.
const moduleWithLoad = Module as unknown as {
  _load: (request: string, parent: unknown, isMain: boolean) => unknown;
};
const originalLoad = moduleWithLoad._load;
moduleWithLoad._load = function (request: string, parent: unknown, isMain: boolean) {
  return request === 'vscode' ? fakeModule : originalLoad.call(this, request, parent, isMain);
};
