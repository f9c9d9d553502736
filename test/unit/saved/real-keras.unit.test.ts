/**
 * Files written by real Keras 3 `model.save()` (.keras and legacy .h5), compared with Keras' own
 * predictions. Needs a Python with keras 3 + h5py (test/support/python-env.ts); skips where
 * there is none, e.g. `python3 -m venv v && v/bin/pip install tensorflow-cpu keras`, then
 * `ACTIVATION_LENS_PYTHON=v/bin/python npm test`.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadKerasFile } from '../../../src/model/readers/saved/load-keras-file';
import { compareWithExpected, generateFixtures, repoRoot } from './keras-fixtures';
import { testPython } from '../../support/python-env';

const python = testPython();
const dir = join(repoRoot, 'test/fixtures/generated/real-keras');
const unavailable = generateFixtures(
  python,
  ['--real-keras', dir],
  'import keras, h5py; assert keras.__version__[0] == "3"',
);
const skip = unavailable
  ? `real Keras 3 not available (set ACTIVATION_LENS_PYTHON to a python with keras 3): ${unavailable}`
  : false;

describe('files saved by real Keras 3', { skip }, () => {
  for (const name of [
    'real_sequential.keras',
    'real_functional.keras',
    'real_sequential_h5.h5',
    'real_functional_h5.h5',
  ]) {
    test(name, async (t) => {
      const file = join(dir, name);
      const spec = await loadKerasFile(new Uint8Array(readFileSync(file)), file);
      assert.equal(spec.origin, name.endsWith('.keras') ? 'keras-v3' : 'keras-h5');
      const result = await compareWithExpected(
        spec,
        join(dir, `${name.replace(/\.\w+$/, '')}.expected.json`),
      );
      assert.deepEqual(
        spec.weights!.map((w) => w.name),
        result.tfjsWeightNames,
      );
      assert.ok(result.maxAbsDiff <= 1e-5, `max |TF.js − Keras| = ${result.maxAbsDiff}`);
      t.diagnostic(`${name}: max |TF.js − Keras| = ${result.maxAbsDiff.toExponential(2)}`);
    });
  }
});
