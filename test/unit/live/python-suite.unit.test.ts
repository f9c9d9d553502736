// The Python package's own unittest modules (python/tests), each in its own process, skipped with
// a clear reason where this machine's test Python lacks the framework the module needs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { missingPythonModules } from '../../support/python-env';
import { pythonDir, runPython } from './live-python';

const MODULES: [string, string[]][] = [
  ['test_histogram', []],
  ['test_wire', []],
  ['test_source_lines', ['torch']],
  ['test_torch_statistics', ['torch']],
  ['test_torch_runner', ['torch']],
  ['test_torch_ddp', ['torch']],
  ['test_keras', ['keras', 'tensorflow', 'numpy']],
];

for (const [module, needs] of MODULES) {
  const missing = missingPythonModules(needs.length ? needs : ['json']);
  test(`python/tests/${module}.py passes`, { skip: missing ?? false }, async () => {
    const home = mkdtempSync(join(tmpdir(), 'al-live-home-'));
    const r = await runPython(['-m', 'unittest', '-v', module], { HOME: home }, join(pythonDir, 'tests'));
    const ran = /^Ran (\d+) tests? in/m.exec(r.stderr);
    assert.ok(ran, r.stderr.slice(-4000));
    assert.equal(r.code, 0, r.stderr.slice(-4000));
    assert.match(r.stderr, /^OK$/m, r.stderr.slice(-4000));
    assert.ok(Number(ran[1]) > 0);
    // The frameworks are here (or the test would have been skipped above): nothing may skip.
    assert.doesNotMatch(r.stderr, /skipped/, r.stderr.slice(-4000));
  });
}
