import { reset, recorded, languages } from './fake-vscode';
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import type * as vscode from 'vscode';
import { FindingDiagnostics } from '../../../extension/finding-diagnostics';
import { parseModelSource } from '../../../src/model/readers/source';
import type { Finding } from '../../../src/protocol';

const FILE = '/w/net.py';
const TEXT = `from keras import layers, Sequential
model = Sequential([
    layers.Dense(64, activation='relu', input_shape=(10,)),
    layers.Dense(1),
])
`;
const finding = (
  kind: Finding['kind'],
  layer: string | null,
  line: number,
  severity: Finding['severity'] = 'warning',
): Finding => ({
  kind,
  layer,
  severity,
  message: `${layer}: ${kind}`,
  evidence: { dead: 26, units: 64 },
  source: { file: FILE, line, column: 5 },
});

beforeEach(reset);

function make() {
  const d = new FindingDiagnostics(
    languages.createDiagnosticCollection('t') as unknown as vscode.DiagnosticCollection,
  );
  d.setFindings(
    [
      finding('dead-units', 'dense', 3),
      finding('mean-drift', 'dense', 3, 'info'),
      { ...finding('overfitting', null, 0), source: null },
    ],
    () => parseModelSource(FILE, TEXT),
  );
  return d;
}

test('each finding with a source becomes a diagnostic on its line, code = kind (a link to the layer)', () => {
  make();
  const ds = recorded.diagnostics.get(FILE) ?? [];
  assert.deepEqual(
    ds.map((d) => [d.range.start.line, (d.code as { value: string }).value, d.source, d.severity]),
    [
      [2, 'dead-units', 'Activation Lens', 1],
      [2, 'mean-drift', 'Activation Lens', 2],
    ],
  );
});

test('a line inserted above moves them with the layer; the ELU fix clears them', () => {
  const d = make();
  const moved = `# a comment\n${TEXT}`;
  d.onParsed(FILE, parseModelSource(FILE, moved));
  assert.deepEqual(
    (recorded.diagnostics.get(FILE) ?? []).map((x) => x.range.start.line),
    [3, 3],
  );
  d.onParsed(FILE, null);
  assert.equal(recorded.diagnostics.get(FILE)?.length, 2, 'an unparsable moment keeps them');
  d.onParsed(FILE, parseModelSource(FILE, moved.replace("activation='relu'", "activation='elu'")));
  assert.deepEqual(recorded.diagnostics.get(FILE), []);
});
