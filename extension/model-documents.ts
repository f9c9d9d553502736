/**
 * The parsed ModelSpec of every open model document, re-parsed (debounced) as the person types.
 * Lenses, diagnostics and quick fixes all read layer positions from here: from the real parser,
 * never from a regex over the text. Lifetime: the extension's.
 */
import * as vscode from 'vscode';
import type { ModelSpec } from '../src/model/spec';

export type ParseModelSource = (file: string, text: string) => ModelSpec | null;

interface Parsed {
  version: number;
  spec: ModelSpec | null;
}

/** Languages and file names the model parsers understand. */
export function isModelDocument(document: Pick<vscode.TextDocument, 'languageId' | 'fileName'>): boolean {
  return (
    ['python', 'javascript', 'typescript', 'javascriptreact', 'typescriptreact'].includes(
      document.languageId,
    ) || document.fileName.endsWith('model.json')
  );
}

export class ModelDocuments implements vscode.Disposable {
  private readonly parsed = new Map<string, Parsed>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly emitter = new vscode.EventEmitter<{
    document: vscode.TextDocument;
    spec: ModelSpec | null;
  }>();
  private readonly subscriptions: vscode.Disposable[] = [];
  /** Fires after a document was re-parsed because it changed. */
  readonly onDidParse = this.emitter.event;

  private parse: ParseModelSource | null;
  private readonly loaded: Promise<void>;
  private resolveLoaded: () => void = () => undefined;

  /**
   * `parse` may be null and given later with setParser: the parsers (the TypeScript compiler among
   * them) load after activation so that activating stays cheap.
   */
  constructor(
    parse: ParseModelSource | null,
    private readonly log: (message: string) => void,
    private readonly debounceMs = 300,
  ) {
    this.parse = parse;
    this.loaded = parse ? Promise.resolve() : new Promise((resolve) => (this.resolveLoaded = resolve));
  }

  setParser(parse: ParseModelSource): void {
    this.parse = parse;
    this.parsed.clear();
    this.resolveLoaded();
  }

  /** Resolves once a parser is there (commands await it; providers just show nothing until then). */
  ready(): Promise<void> {
    return this.loaded;
  }

  /** Starts following edits and closes (separate from the constructor so tests can drive it). */
  watch(
    workspace: Pick<typeof vscode.workspace, 'onDidChangeTextDocument' | 'onDidCloseTextDocument'>,
  ): this {
    this.subscriptions.push(
      workspace.onDidChangeTextDocument((e) => {
        if (isModelDocument(e.document) && e.contentChanges.length > 0) this.schedule(e.document);
      }),
      workspace.onDidCloseTextDocument((d) => this.forget(d.uri.toString())),
    );
    return this;
  }

  /** The spec for the document's current version (parsed now if the cache is stale). */
  get(document: vscode.TextDocument): ModelSpec | null {
    const key = document.uri.toString();
    if (!this.parse) return null;
    const cached = this.parsed.get(key);
    if (cached && cached.version === document.version) return cached.spec;
    const spec = this.parseNow(document);
    this.parsed.set(key, { version: document.version, spec });
    return spec;
  }

  private schedule(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    const pending = this.timers.get(key);
    if (pending) clearTimeout(pending);
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        this.emitter.fire({ document, spec: this.get(document) });
      }, this.debounceMs),
    );
  }

  private parseNow(document: vscode.TextDocument): ModelSpec | null {
    if (!isModelDocument(document) || !this.parse) return null;
    try {
      return this.parse(document.uri.fsPath, document.getText());
    } catch (e) {
      // A half-typed file is normal while editing: no lenses until it parses again.
      this.log(`could not parse ${document.uri.fsPath}: ${e instanceof Error ? e.message : String(e)}`);
      return null;
    }
  }

  private forget(key: string): void {
    this.parsed.delete(key);
    const t = this.timers.get(key);
    if (t) clearTimeout(t);
    this.timers.delete(key);
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const s of this.subscriptions) s.dispose();
    this.emitter.dispose();
  }
}
