// The Python package's own unittest modules (python/tests), each in its own process, skipped with
// a clear reason where this machine's test Python lacks the framework the module needs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { missingPythonModules } from '../../support/python-env';
import { pythonDir, runPython } from './live-python';

// Grouped by the framework they import, so each group pays for one interpreter start.
const GROUPS: [string, string[], string[]][] = [
  ['histogram rule, wire, endpoint', ['test_histogram', 'test_wire'], []],
  [
    'PyTorch (activation names, statistics, runner, DDP, source lines)',
    ['test_activations', 'test_source_lines', 'test_torch_statistics', 'test_torch_runner', 'test_torch_ddp'],
    ['torch'],
  ],
  ['Keras', ['test_keras'], ['keras', 'tensorflow', 'numpy']],
];

for (const [what, modules, needs] of GROUPS) {
  const missing = missingPythonModules(needs.length ? needs : ['json']);
  test(`python/tests: ${what}`, { skip: missing ?? false }, async () => {
    const home = mkdtempSync(join(tmpdir(), 'al-live-home-'));
    const r = await runPython(['-m', 'unittest', '-v', ...modules], { HOME: home }, join(pythonDir, 'tests'));
    const ran = /^Ran (\d+) tests? in/m.exec(r.stderr);
    assert.ok(ran, r.stderr.slice(-4000));
    assert.equal(r.code, 0, r.stderr.slice(-4000));
    assert.match(r.stderr, /^OK$/m, r.stderr.slice(-4000));
    assert.ok(Number(ran[1]) > 0);
    // The frameworks are here (or the test would have been skipped above): nothing may skip.
    assert.doesNotMatch(r.stderr, /skipped/, r.stderr.slice(-4000));
  });
}
