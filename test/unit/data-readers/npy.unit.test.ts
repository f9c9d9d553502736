// .npy parsing: versions 1–3, every supported dtype, and clear UserErrors for what is refused.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UserError } from '../../../src/errors';
import { parseNpy } from '../../../src/data/readers/npy';
import { npyBytes } from './npy-writer';

test('version 1, uint8, 3-D shape', () => {
  const a = parseNpy(
    npyBytes('|u1', [2, 2, 3], Uint8Array.from([0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255])),
    'a.npy',
  );
  assert.equal(a.dtype, 'u1');
  assert.deepEqual(a.shape, [2, 2, 3]);
  assert.deepEqual([...a.data], [0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255]);
});

test('versions 2 and 3; int32, int64, float32, float64', () => {
  const i4 = parseNpy(npyBytes('<i4', [3], Int32Array.from([-7, 0, 2147483647]), { version: 2 }), 'a.npy');
  assert.deepEqual([...i4.data], [-7, 0, 2147483647]);
  const i8 = parseNpy(npyBytes('<i8', [2], BigInt64Array.from([5n, -3n]), { version: 3 }), 'a.npy');
  assert.deepEqual([...i8.data], [5n, -3n]);
  const f4 = parseNpy(npyBytes('<f4', [2, 1], Float32Array.from([0.5, -1.25])), 'a.npy');
  assert.deepEqual([f4.dtype, f4.shape, [...f4.data]], ['f4', [2, 1], [0.5, -1.25]]);
  const f8 = parseNpy(npyBytes('<f8', [1], Float64Array.from([Math.PI]), { version: 2 }), 'a.npy');
  assert.deepEqual([...f8.data], [Math.PI]);
});

test('an unaligned source buffer still reads (Node pools small file buffers)', () => {
  const bytes = npyBytes('<f4', [2], Float32Array.from([1.5, 2.5]));
  const shifted = new Uint8Array(bytes.length + 1);
  shifted.set(bytes, 1);
  assert.deepEqual([...parseNpy(shifted.subarray(1), 'a.npy').data], [1.5, 2.5]);
  // A Buffer view into a larger pool: its slice() shares memory, so the copy must be explicit.
  const pooled = Buffer.alloc(bytes.length + 3);
  pooled.set(bytes, 3);
  assert.deepEqual([...parseNpy(pooled.subarray(3), 'a.npy').data], [1.5, 2.5]);
});

function refuses(bytes: Uint8Array, pattern: RegExp): void {
  assert.throws(
    () => parseNpy(bytes, '/data/bad.npy'),
    (e: unknown) => e instanceof UserError && e.file === '/data/bad.npy' && pattern.test(e.message),
  );
}

test('Fortran order, big-endian, other dtypes, truncation and garbage are UserErrors', () => {
  refuses(npyBytes('<f4', [2, 2], new Float32Array(4), { fortran: true }), /Fortran/);
  refuses(npyBytes('>f4', [2], new Float32Array(2)), /dtype '>f4'/);
  refuses(npyBytes('<c8', [1], new Float64Array(1)), /dtype '<c8'/);
  refuses(
    npyBytes('<f4', [4], new Float32Array(2)),
    /truncated: shape \(4\) of '<f4' needs 16 data bytes, the file has 8/,
  );
  refuses(new TextEncoder().encode('x,y\n1,2\n'), /magic/);
  refuses(
    npyBytes('', [], new Uint8Array(0), { header: "{'descr': '<f4', 'shape': (2," }),
    /header is malformed/,
  );
  refuses(
    npyBytes('', [], new Uint8Array(0), {
      header: "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }",
    }),
    /structured dtype/,
  );
  const v9 = npyBytes('<f4', [1], new Float32Array(1));
  v9[6] = 9;
  refuses(v9, /format version 9/);
});
