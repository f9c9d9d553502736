/**
 * The parsed ModelSpec of every open model document, re-parsed (debounced) as the person types.
 * Lenses, diagnostics and quick fixes all read layer positions from here: from the real parser,
 * never from a regex over the text. Lifetime: the extension's.
 *
 * Nothing is parsed on the extension host's thread: each parse goes to the parser process
 * (extension/parser-process.ts) with its time and memory limits, so a hostile source costs that
 * process and never freezes VS Code — in Restricted Mode too, where lenses still work. A result is
 * kept only for the document version it was parsed from; one that lands after the person typed on
 * is dropped. A file over MAX_PARSE_BYTES is not parsed at all.
 */
import * as vscode from 'vscode';
import type { ModelSpec } from '../src/model/spec';
import { isModelSource } from '../src/model/readers/source-kind';
import type { ModelParser, ParseOutcome } from './parser-process';

/** Larger sources get no lenses: a model script is a few KB; 1 MB is generated code or data. */
export const MAX_PARSE_BYTES = 1_000_000;
/** get() follows a document that keeps changing under it at most this many times. */
const MAX_CHASES = 3;

type Log = (level: 'debug' | 'info' | 'warn', message: string) => void;

interface Parsed {
  version: number;
  spec: ModelSpec | null;
}

interface Pending {
  version: number;
  result: Promise<ModelSpec | null | typeof STALE>;
  abort: AbortController;
}

/** A parse that was withdrawn or whose document moved on: not an answer for anyone. */
const STALE = Symbol('stale');

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
  private readonly pending = new Map<string, Pending>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  /** The reason last logged per document, so a file that keeps failing is reported once. */
  private readonly logged = new Map<string, string>();
  private readonly emitter = new vscode.EventEmitter<{
    document: vscode.TextDocument;
    spec: ModelSpec | null;
  }>();
  private readonly subscriptions: vscode.Disposable[] = [];
  /** Fires when a parse of a document's current version lands. */
  readonly onDidParse = this.emitter.event;

  private parser: ModelParser | null;
  private readonly loaded: Promise<void>;
  private resolveLoaded: () => void = () => undefined;

  /** `parser` may be null and given later with setParser (activation stays cheap). */
  constructor(
    parser: ModelParser | null,
    private readonly log: Log,
    private readonly debounceMs = 300,
    private readonly maxBytes = MAX_PARSE_BYTES,
  ) {
    this.parser = parser;
    this.loaded = parser ? Promise.resolve() : new Promise((resolve) => (this.resolveLoaded = resolve));
  }

  setParser(parser: ModelParser): void {
    this.parser = parser;
    this.parsed.clear();
    this.resolveLoaded();
  }

  /** Resolves once a parser is there. */
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

  /** The spec of the document's current version if it has been parsed; undefined if not yet. */
  known(document: vscode.TextDocument): ModelSpec | null | undefined {
    const parsed = this.parsed.get(document.uri.toString());
    return parsed?.version === document.version ? parsed.spec : undefined;
  }

  /** The last spec parsed for the document, whatever version it came from (null: none). */
  lastKnown(document: vscode.TextDocument): ModelSpec | null {
    return this.parsed.get(document.uri.toString())?.spec ?? null;
  }

  /**
   * The spec of the document's current version, parsing it now if needed (a pending debounce is
   * skipped). Null when the file holds no model, or the parse failed, timed out or was refused.
   */
  async get(document: vscode.TextDocument): Promise<ModelSpec | null> {
    await this.loaded;
    for (let chase = 0; chase < MAX_CHASES; chase++) {
      const known = this.known(document);
      if (known !== undefined) return known;
      const version = document.version;
      const result = await this.request(document);
      if (result !== STALE && document.version === version) return result;
    }
    return this.known(document) ?? null;
  }

  /**
   * Like get(), but gives up after `ms` with undefined (the parse goes on; onDidParse fires when it
   * lands). For providers: VS Code waits for every provider of a kind before it shows any.
   */
  async getWithin(document: vscode.TextDocument, ms: number): Promise<ModelSpec | null | undefined> {
    const known = this.known(document);
    if (known !== undefined) return known;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
    try {
      return await Promise.race([this.get(document), late]);
    } finally {
      clearTimeout(timer);
    }
  }

  private schedule(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    const pending = this.timers.get(key);
    if (pending) clearTimeout(pending);
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        void this.get(document);
      }, this.debounceMs),
    );
  }

  /** The parse of the document's current version: the one under way, else a new one. */
  private request(document: vscode.TextDocument): Promise<ModelSpec | null | typeof STALE> {
    const key = document.uri.toString();
    const timer = this.timers.get(key);
    if (timer) clearTimeout(timer);
    this.timers.delete(key);
    const under = this.pending.get(key);
    if (under?.version === document.version) return under.result;
    under?.abort.abort();
    const version = document.version;
    const abort = new AbortController();
    const result = this.parseVersion(document, abort.signal).then((spec) => {
      if (this.pending.get(key)?.abort === abort) this.pending.delete(key);
      // Withdrawn (superseded or closed) or overtaken by an edit: dropped, never cached.
      if (spec === STALE || abort.signal.aborted || document.version !== version) return STALE;
      this.parsed.set(key, { version, spec });
      this.emitter.fire({ document, spec });
      return spec;
    });
    this.pending.set(key, { version, result, abort });
    return result;
  }

  private async parseVersion(
    document: vscode.TextDocument,
    signal: AbortSignal,
  ): Promise<ModelSpec | null | typeof STALE> {
    const file = document.uri.fsPath;
    if (document.uri.scheme !== 'file' || !isModelDocument(document) || !isModelSource(file) || !this.parser)
      return null;
    const text = document.getText();
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > this.maxBytes) {
      this.report(
        document,
        'info',
        'too-big',
        `${file}: not parsed, so no code lenses: ${megabytes(bytes)} is over the ${megabytes(this.maxBytes)} limit for model sources`,
      );
      return null;
    }
    const outcome = await this.parser.parse(file, text, signal);
    return this.settle(document, outcome);
  }

  private settle(document: vscode.TextDocument, outcome: ParseOutcome): ModelSpec | null | typeof STALE {
    const file = document.uri.fsPath;
    switch (outcome.kind) {
      case 'parsed':
        this.logged.delete(document.uri.toString());
        return outcome.spec;
      case 'no-model':
        // Most Python and JS files hold no model: normal, so only at debug level.
        this.report(document, 'debug', outcome.message, `no model read from ${file}: ${outcome.message}`);
        return null;
      case 'failed':
        this.report(document, 'warn', outcome.message, `${file}: no code lenses: ${outcome.message}`);
        return null;
      case 'cancelled':
        return STALE;
    }
  }

  /** One log line per document and reason, however often the person's edits re-trigger it. */
  private report(
    document: vscode.TextDocument,
    level: 'debug' | 'info' | 'warn',
    reason: string,
    line: string,
  ): void {
    const key = document.uri.toString();
    if (this.logged.get(key) === reason) return;
    this.logged.set(key, reason);
    this.log(level, line);
  }

  private forget(key: string): void {
    this.parsed.delete(key);
    this.logged.delete(key);
    this.pending.get(key)?.abort.abort();
    this.pending.delete(key);
    const t = this.timers.get(key);
    if (t) clearTimeout(t);
    this.timers.delete(key);
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const p of this.pending.values()) p.abort.abort();
    this.pending.clear();
    for (const s of this.subscriptions) s.dispose();
    this.emitter.dispose();
  }
}

function megabytes(bytes: number): string {
  return `${(bytes / 1_000_000).toFixed(bytes < 10_000_000 ? 1 : 0)} MB`;
}
