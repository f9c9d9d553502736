import {
  reset,
  recorded,
  fakeDocument,
  Range,
  type WorkspaceEdit,
  Diagnostic,
  DiagnosticSeverity,
  type CodeAction,
} from './fake-vscode';
import { test, beforeEach, after } from 'node:test';
import assert from 'node:assert/strict';
import type * as vscode from 'vscode';
import { applyEluFix } from '../../../extension/apply-elu-fix';
import { EluCodeActionProvider } from '../../../extension/elu-code-actions';
import { ModelDocuments } from '../../../extension/model-documents';
import { ParserProcess } from '../../../extension/parser-process';
import { PARSER_SCRIPT } from './parser-fixture';

const parser = new ParserProcess({ script: PARSER_SCRIPT });
after(() => parser.dispose());

const FILE = '/work/example/train.py';
const TEXT = `import tensorflow as tf
from tensorflow.keras import layers

model = tf.keras.Sequential([
    layers.Conv2D(32, 3, activation='relu', input_shape=(28, 28, 1)),
    layers.Flatten(),
    layers.Dense(128, activation='relu', kernel_initializer='glorot_uniform'),
    layers.Dense(10, activation='softmax'),
])
`;

/** Applies a recorded fake WorkspaceEdit to a text, last edit first. */
function applyRecorded(text: string, edit: WorkspaceEdit): string {
  const lines = text.split('\n');
  const offset = (l: number, c: number) => lines.slice(0, l).reduce((n, s) => n + s.length + 1, 0) + c;
  const edits = edit.edits
    .map((e) => ({
      from: offset(e.range.start.line, e.range.start.character),
      to: offset(e.range.end.line, e.range.end.character),
      text: e.newText,
    }))
    .sort((a, b) => b.from - a.from);
  return edits.reduce((t, e) => t.slice(0, e.from) + e.text + t.slice(e.to), text);
}

beforeEach(reset);

test('applyEluFix edits the file through ONE WorkspaceEdit (one undo step)', async () => {
  const doc = fakeDocument(FILE, TEXT);
  recorded.documents.push(doc);
  const documents = new ModelDocuments(parser, () => undefined);
  const fix = await applyEluFix(documents, doc.uri as unknown as vscode.Uri, 'dense', 1.0);
  assert.ok(fix);
  assert.equal(recorded.appliedEdits.length, 1);
  const out = applyRecorded(TEXT, recorded.appliedEdits[0] as WorkspaceEdit);
  assert.ok(out.includes(`layers.Dense(128, activation='elu', kernel_initializer='he_normal'),`), out);
  assert.ok(out.includes(`layers.Conv2D(32, 3, activation='relu', input_shape=(28, 28, 1)),`));
  assert.equal(recorded.messages.at(-1)?.level, 'info');
});

test('unknown layer and refused edits are reported as errors naming the file', async () => {
  const doc = fakeDocument(FILE, TEXT);
  recorded.documents.push(doc);
  const documents = new ModelDocuments(parser, () => undefined);
  assert.equal(await applyEluFix(documents, doc.uri as unknown as vscode.Uri, 'nope', 1.0), null);
  assert.match(recorded.messages.at(-1)?.text ?? '', /train\.py: no layer named nope/);
  recorded.applyEditResult = false;
  assert.equal(await applyEluFix(documents, doc.uri as unknown as vscode.Uri, 'conv2d', 1.0), null);
  assert.match(recorded.messages.at(-1)?.text ?? '', /refused/);
});

test('quick fixes: offered on ReLU layer lines, preferred where our diagnostic sits', async () => {
  const doc = fakeDocument(FILE, TEXT);
  const provider = new EluCodeActionProvider(new ModelDocuments(parser, () => undefined));
  const diag = new Diagnostic(new Range(6, 4, 6, 80), 'dense: 41% dead', DiagnosticSeverity.Warning);
  diag.source = 'Activation Lens';
  const at = async (line: number, diagnostics: Diagnostic[] = []) =>
    (await provider.provideCodeActions(
      doc as unknown as vscode.TextDocument,
      new Range(line, 0, line, 0) as unknown as vscode.Range,
      {
        diagnostics,
      } as unknown as vscode.CodeActionContext,
    )) as unknown as CodeAction[];
  const onDense = await at(6, [diag]);
  assert.equal(onDense.length, 1);
  assert.equal(onDense[0]?.title, 'Switch dense to ELU (He initialisation)');
  assert.equal(onDense[0]?.isPreferred, true);
  assert.deepEqual(onDense[0]?.command?.arguments?.[1], 'dense');
  assert.equal((await at(4))[0]?.isPreferred, undefined);
  assert.deepEqual(await at(5), []);
  assert.deepEqual(await at(7), [], 'no fix on the softmax layer');
});
