// One vocabulary of activations across the engine and the live taps: every name the taps report
// (python/activation_lens/activations.py FAMILIES) is a row of src/model/activation-families.ts with
// the same answer to "can its units die?" and "does it saturate at −α?", the known output ranges
// agree, and src/histogram.ts starts bounded activations from exactly those ranges.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  ACTIVATION_FAMILIES,
  activationFamily,
  canonicalActivation,
} from '../../../src/model/activation-families';
import { HISTOGRAM_BINS, knownRange, rangeHi } from '../../../src/histogram';
import { testPython } from '../../support/python-env';
import { pythonDir } from '../live/live-python';

interface PythonTable {
  families: Record<string, [boolean, boolean]>;
  ranges: Record<string, [number, number]>;
}

function pythonTable(): PythonTable {
  const code =
    'import json; from activation_lens.activations import FAMILIES, KNOWN_RANGES; ' +
    'print(json.dumps({"families": FAMILIES, "ranges": KNOWN_RANGES}))';
  // The table imports nothing but the standard library: any Python 3 answers.
  const r = spawnSync(testPython(), ['-c', code], {
    env: { ...process.env, PYTHONPATH: pythonDir },
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as PythonTable;
}

test('every activation the taps report has the same row in the activation table', () => {
  const { families } = pythonTable();
  assert.ok(Object.keys(families).length >= 20);
  for (const [name, [canDie, saturates]] of Object.entries(families)) {
    assert.notEqual(canonicalActivation(name), null, `${name}: no row in src/model/activation-families.ts`);
    const row = activationFamily(name)!;
    assert.deepEqual({ canDie: row.canDie, saturates: row.saturates }, { canDie, saturates }, name);
  }
});

test('known output ranges: the same in Python, in the activation table and in src/histogram.ts', () => {
  const { ranges } = pythonTable();
  const tableRanges = Object.fromEntries(
    Object.entries(ACTIVATION_FAMILIES)
      .filter(([, f]) => f.range !== null)
      .map(([n, f]) => [n, [...f.range!]]),
  );
  assert.deepEqual(ranges, tableRanges);
  for (const [name, [lo, hi]] of Object.entries(tableRanges)) {
    const r = knownRange(name)!;
    assert.deepEqual([r.lo, rangeHi(r)], [lo, hi], name);
    assert.equal(r.width, (hi! - lo!) / HISTOGRAM_BINS);
  }
  for (const name of Object.keys(ACTIVATION_FAMILIES))
    if (!(name in tableRanges)) assert.equal(knownRange(name), null, name);
});
