// Cross-check against numpy itself (Debian's python3 + python3-numpy), skipped where it is missing.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { UserError } from '../../../src/errors';
import { parseNpy } from '../../../src/data/readers/npy';
import { readDataset } from '../../../src/data/readers/index';

const PYTHON = '/usr/bin/python3';
const probe = spawnSync(PYTHON, ['-c', 'import numpy'], { encoding: 'utf8' });
const skip =
  probe.status === 0
    ? false
    : `needs ${PYTHON} with numpy (apt install python3-numpy): ${probe.error?.message ?? probe.stderr.trim()}`;

const SCRIPT = `
import sys, numpy as np
from numpy.lib import format as fmt
d = sys.argv[1]
for v in [(1, 0), (2, 0), (3, 0)]:
    with open(f"{d}/v{v[0]}.npy", "wb") as f:
        fmt.write_array(f, np.array([[1.5, -2.0], [3.25, 1e-3]], dtype=np.float64), version=v)
np.save(f"{d}/i8.npy", np.array([0, 9, 2**40], dtype=np.int64))
np.save(f"{d}/fortran.npy", np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3)))
np.save(f"{d}/big.npy", np.arange(3, dtype=">f4"))
np.save(f"{d}/set_x.npy", np.arange(40 * 4, dtype=np.uint8).reshape(40, 2, 2))
np.save(f"{d}/set_y.npy", np.arange(40) % 10)
`;

test('arrays numpy writes (format versions 1–3, int64, Fortran order, big-endian)', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'al-numpy-'));
  const run = spawnSync(PYTHON, ['-c', SCRIPT, dir], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  for (const v of [1, 2, 3]) {
    const a = parseNpy(readFileSync(join(dir, `v${v}.npy`)), `v${v}.npy`);
    assert.deepEqual([a.dtype, a.shape, [...a.data]], ['f8', [2, 2], [1.5, -2.0, 3.25, 1e-3]]);
  }
  assert.deepEqual([...parseNpy(readFileSync(join(dir, 'i8.npy')), 'i8.npy').data], [0n, 9n, 2n ** 40n]);
  assert.throws(
    () => parseNpy(readFileSync(join(dir, 'fortran.npy')), 'fortran.npy'),
    (e: unknown) => e instanceof UserError && /Fortran/.test(e.message),
  );
  assert.throws(
    () => parseNpy(readFileSync(join(dir, 'big.npy')), 'big.npy'),
    (e: unknown) => e instanceof UserError && /'>f4'/.test(e.message),
  );
  const ds = await readDataset(join(dir, 'set_x.npy'));
  assert.deepEqual(
    [ds.name, ds.sampleShape, ds.yTrain.length, ds.yTest.length, ds.classes],
    ['set', [2, 2], 34, 6, 10],
  );
  assert.ok(Math.abs(ds.xTest[ds.xTest.length - 1]! - 159 / 255) < 1e-7);
  assert.deepEqual([...ds.yTest], [4, 5, 6, 7, 8, 9]);
});
