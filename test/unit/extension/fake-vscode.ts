/**
 * A small hand-written stand-in for the `vscode` module, enough for the host modules' unit tests.
 * Importing this file first makes `require('vscode')` (external in the test bundle) return it.
 * It records what the code under test did (messages shown, edits applied, diagnostics set) so the
 * tests assert on that; it does not pretend to be VS Code beyond the calls listed here.
 */
import Module from 'node:module';
import { pathToFileURL, fileURLToPath } from 'node:url';

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
  code?: string | number;
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
export function fakeDocument(path: string, text: string, languageId = 'python'): FakeDocument & { setText(t: string): void } {
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
  messages: [] as { level: 'info' | 'warning' | 'error'; text: string }[],
  appliedEdits: [] as WorkspaceEdit[],
  diagnostics: new Map<string, Diagnostic[]>(),
  commands: [] as { command: string; args: unknown[] }[],
  documents: [] as FakeDocument[],
  configuration: {} as Record<string, unknown>,
  applyEditResult: true,
};

export function reset(): void {
  recorded.messages.length = 0;
  recorded.appliedEdits.length = 0;
  recorded.diagnostics.clear();
  recorded.commands.length = 0;
  recorded.documents.length = 0;
  recorded.configuration = {};
  recorded.applyEditResult = true;
}

const show = (level: 'info' | 'warning' | 'error') => (text: string) => {
  recorded.messages.push({ level, text });
  return Promise.resolve(undefined);
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
    return { get: <T>(key: string, fallback?: T) => (key in recorded.configuration ? (recorded.configuration[key] as T) : fallback) };
  },
  getWorkspaceFolder: () => undefined,
};

export const window = {
  showInformationMessage: show('info'),
  showWarningMessage: show('warning'),
  showErrorMessage: show('error'),
  activeTextEditor: undefined,
  tabGroups: { activeTabGroup: { activeTab: undefined } },
};

export const languages = {
  createDiagnosticCollection(name: string) {
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
      },
    };
  },
};

export const commands = {
  executeCommand(command: string, ...args: unknown[]) {
    recorded.commands.push({ command, args });
    return Promise.resolve(undefined);
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
  StatusBarAlignment,
  ProgressLocation,
  workspace,
  window,
  languages,
  commands,
};

// `vscode` is external in the test bundle, so the host modules call require('vscode') at run time.
const moduleWithLoad = Module as unknown as { _load: (request: string, parent: unknown, isMain: boolean) => unknown };
const originalLoad = moduleWithLoad._load;
moduleWithLoad._load = function (request: string, parent: unknown, isMain: boolean) {
  return request === 'vscode' ? fakeModule : originalLoad.call(this, request, parent, isMain);
};
