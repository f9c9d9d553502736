// ModelDocuments: parses go to a parser (the parser process in production), never the host's
// thread; big files are skipped; edits are debounced; a result for an old version is dropped; a
// failure leaves the file without lenses and says why once; the lens provider never waits long.
import { reset, recorded, fakeDocument, workspace, EventEmitter, type CodeLens } from './fake-vscode';
import { test, beforeEach, after } from 'node:test';
import assert from 'node:assert/strict';
import type * as vscode from 'vscode';
import { MAX_PARSE_BYTES, ModelDocuments } from '../../../extension/model-documents';
import { LENS_WAIT_MS, LayerLensProvider } from '../../../extension/layer-lenses';
import { ParserProcess, type ModelParser, type ParseOutcome } from '../../../extension/parser-process';
import type { ModelSpec } from '../../../src/model/spec';
import { emptyDashboardState } from '../../../src/dashboard-state';
import { PARSER_SCRIPT } from './parser-fixture';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A spec whose one ReLU layer sits on `line`. */
function specAt(file: string, line: number): ModelSpec {
  return {
    name: 'm',
    origin: 'keras-py',
    file,
    topology: { class_name: 'Sequential', config: {} },
    layers: [{ name: 'dense', className: 'Dense', activation: 'relu', source: { file, line, column: 5 } }],
    training: {},
    issues: [],
  };
}

/** A parser that answers after `delayMs` with what `answer` says, and counts its calls. */
class ScriptedParser implements ModelParser {
  calls: { file: string; text: string }[] = [];
  constructor(
    private readonly answer: (file: string, text: string) => ParseOutcome,
    private readonly delayMs = 0,
  ) {}
  async parse(file: string, text: string): Promise<ParseOutcome> {
    this.calls.push({ file, text });
    await sleep(this.delayMs);
    return this.answer(file, text);
  }
  dispose(): void {}
}

/** The line number written in the text (`line N`), as the layer's line. */
const byLine = (file: string, text: string): ParseOutcome => ({
  kind: 'parsed',
  spec: specAt(file, Number(/line (\d+)/.exec(text)?.[1] ?? 1)),
});

function logged(level?: string): string[] {
  return recorded.log.filter((l) => !level || l.startsWith(`${level} `));
}

function documentsWith(parser: ModelParser, debounceMs = 300) {
  return new ModelDocuments(parser, (level, m) => recorded.log.push(`${level} ${m}`), debounceMs).watch(
    workspace as unknown as typeof vscode.workspace,
  );
}

beforeEach(reset);

test('a file over the size limit is not parsed: no lenses, one log line naming it, however often it changes', async () => {
  const parser = new ScriptedParser(byLine);
  const documents = documentsWith(parser, 10);
  const big = `# line 3\n${'x = 1\n'.repeat(Math.ceil(MAX_PARSE_BYTES / 6) + 10)}`;
  const doc = fakeDocument('/w/generated.py', big);
  assert.equal(await documents.get(doc as unknown as vscode.TextDocument), null);
  doc.setText(`${big}y = 2\n`);
  workspace.fireChange(doc);
  await sleep(50);
  assert.equal(await documents.get(doc as unknown as vscode.TextDocument), null);
  assert.equal(parser.calls.length, 0, 'nothing was sent to the parser');
  assert.equal(logged().length, 1, logged().join('\n'));
  assert.match(
    logged('info')[0] ?? '',
    /^info \/w\/generated\.py: not parsed, so no code lenses: 1\.0 MB is over the 1\.0 MB limit/,
  );
  documents.dispose();
});

test('edits are debounced: five quick changes, one parse, one onDidParse', async () => {
  const parser = new ScriptedParser(byLine);
  const documents = documentsWith(parser, 80);
  const seen: (ModelSpec | null)[] = [];
  documents.onDidParse(({ spec }) => seen.push(spec));
  const doc = fakeDocument('/w/model.py', 'line 1');
  for (let i = 2; i <= 6; i++) {
    doc.setText(`line ${i}`);
    workspace.fireChange(doc);
    await sleep(10);
  }
  await sleep(200);
  assert.deepEqual(
    parser.calls.map((c) => c.text),
    ['line 6'],
  );
  assert.deepEqual(
    seen.map((s) => s?.layers[0]?.source?.line),
    [6],
  );
  assert.equal(documents.known(doc as unknown as vscode.TextDocument)?.layers[0]?.source?.line, 6);
  documents.dispose();
});

test('a result that lands after the document moved on is dropped; get() answers for the version now', async () => {
  const parser = new ScriptedParser(byLine, 60);
  const documents = documentsWith(parser);
  const fired: number[] = [];
  documents.onDidParse(({ spec }) => fired.push(spec?.layers[0]?.source?.line ?? -1));
  const doc = fakeDocument('/w/model.py', 'line 1');
  const first = documents.get(doc as unknown as vscode.TextDocument);
  await sleep(10);
  doc.setText('line 2'); // typed on while version 1 was being parsed
  const spec = await first;
  assert.equal(spec?.layers[0]?.source?.line, 2, 'the caller gets the spec of the text as it is now');
  assert.deepEqual(fired, [2], 'version 1 never reached the lenses or the diagnostics');
  assert.equal(documents.known(doc as unknown as vscode.TextDocument)?.layers[0]?.source?.line, 2);
  documents.dispose();
});

test('a failed parse: no lenses, one warning naming the file and why, again only after a success', async () => {
  let fail = true;
  const parser = new ScriptedParser((file, text) =>
    fail
      ? { kind: 'failed', message: 'parsing took longer than 5 s (the limit), so it was stopped' }
      : byLine(file, text),
  );
  const documents = documentsWith(parser);
  const doc = fakeDocument('/w/hostile.py', 'line 1');
  const td = doc as unknown as vscode.TextDocument;
  assert.equal(await documents.get(td), null);
  doc.setText('line 2');
  assert.equal(await documents.get(td), null);
  assert.deepEqual(logged('warn'), [
    'warn /w/hostile.py: no code lenses: parsing took longer than 5 s (the limit), so it was stopped',
  ]);
  fail = false;
  doc.setText('line 3');
  assert.equal((await documents.get(td))?.layers.length, 1);
  fail = true;
  doc.setText('line 4');
  assert.equal(await documents.get(td), null);
  assert.equal(logged('warn').length, 2);
  // A file with no model is ordinary: debug only.
  const util = fakeDocument('/w/util.py', 'x');
  await documentsWith(new ScriptedParser(() => ({ kind: 'no-model', message: 'no model found' }))).get(
    util as unknown as vscode.TextDocument,
  );
  assert.match(logged('debug').at(-1) ?? '', /no model read from \/w\/util\.py: no model found/);
  documents.dispose();
});

test('the lens provider answers within LENS_WAIT_MS while a slow parse runs, and refreshes when it lands', async () => {
  const parser = new ScriptedParser(byLine, LENS_WAIT_MS + 700);
  const documents = documentsWith(parser);
  const provider = new LayerLensProvider(
    documents,
    {
      state: emptyDashboardState(),
      onDidChangeState: new EventEmitter<void>().event as unknown as vscode.Event<void>,
    },
    () => true,
  );
  let refreshed = 0;
  provider.onDidChangeCodeLenses(() => refreshed++);
  const doc = fakeDocument('/w/model.py', 'line 4') as unknown as vscode.TextDocument;
  const started = performance.now();
  const first = (await provider.provideCodeLenses(doc)) as unknown as CodeLens[];
  const waited = performance.now() - started;
  assert.deepEqual(first, [], 'nothing known yet');
  assert.ok(
    waited >= LENS_WAIT_MS - 20 && waited < LENS_WAIT_MS + 300,
    `answered after ${waited.toFixed(0)} ms`,
  );
  assert.equal(refreshed, 0);
  await sleep(900);
  assert.equal(refreshed, 1, 'asked VS Code to come back once the parse landed');
  const now = provider.provideCodeLenses(doc);
  assert.ok(Array.isArray(now), 'a known parse is answered synchronously');
  assert.deepEqual(
    (now as unknown as CodeLens[]).map((l) => l.range.start.line + 1),
    [4],
  );
  assert.equal(parser.calls.length, 1);
  provider.dispose();
  documents.dispose();
});

const real = new ParserProcess({ script: PARSER_SCRIPT, limits: { timeMs: 1500 } });
after(() => real.dispose());

test('through the real parser process: a source that would run for minutes gets no lenses and one line; the next file parses', async () => {
  const documents = documentsWith(real);
  const hostile = fakeDocument(
    '/w/loops.py',
    `from keras import layers, Sequential\nxs = []\nfor i in range(256):\n    for j in range(256):\n        for k in range(256):\n            xs.append(layers.Dense(1, activation='relu'))\nmodel = Sequential(xs)\n`,
  );
  const started = performance.now();
  const spec = await documents.get(hostile as unknown as vscode.TextDocument);
  const ms = performance.now() - started;
  assert.ok(ms < 1500 + 2000, `${ms.toFixed(0)} ms`);
  // Without budgets in the reader the time limit stops it; with them the reader refuses it.
  assert.equal(spec, null);
  const lines = recorded.log.filter((l) => l.includes('/w/loops.py'));
  assert.equal(lines.length, 1, lines.join('\n'));
  const good = fakeDocument(
    '/w/model.py',
    `from keras import layers, Sequential\nmodel = Sequential([layers.Dense(4, activation='relu', input_shape=(3,))])\n`,
  );
  assert.equal((await documents.get(good as unknown as vscode.TextDocument))?.layers.length, 1);
  documents.dispose();
});
