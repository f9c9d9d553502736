/**
 * UnsortedSegmentSum for the wasm backend. tfjs-backend-wasm 4.22 ships none, and it is the
 * gradient of a gather — so without it no Embedding (every text model) trains on wasm. The sum
 * runs in JavaScript over a copy of the inputs: an Embedding's gradient is a few thousand rows.
 */
import type * as tfType from '@tensorflow/tfjs';

type Tf = typeof tfType;
type TensorInfo = tfType.TensorInfo;

interface WasmBackend {
  readSync(dataId: object): ArrayLike<number>;
  makeOutput(
    shape: number[],
    dtype: tfType.DataType,
    memoryOffset?: number,
    values?: Float32Array | Int32Array,
  ): TensorInfo;
}

let installed = false;

/** Registers the kernel on the wasm backend, unless it has one (idempotent). */
export function installWasmSegmentSum(tf: Tf): void {
  if (installed || tf.getKernel('UnsortedSegmentSum', 'wasm')) return;
  tf.registerKernel({
    kernelName: 'UnsortedSegmentSum',
    backendName: 'wasm',
    kernelFunc: (({
      inputs,
      backend,
      attrs,
    }: {
      inputs: Record<string, TensorInfo>;
      backend: unknown;
      attrs: Record<string, unknown>;
    }) => {
      const b = backend as WasmBackend;
      const x = inputs.x!;
      const ids = inputs.segmentIds!;
      const segments = attrs.numSegments as number;
      // segmentIds covers x's leading axes; each id selects the row of the remaining ones.
      const rowShape = x.shape.slice(ids.shape.length);
      const row = rowShape.reduce((a, d) => a * d, 1);
      const values = b.readSync(x.dataId);
      const segmentOf = b.readSync(ids.dataId);
      const out = x.dtype === 'int32' ? new Int32Array(segments * row) : new Float32Array(segments * row);
      for (let i = 0; i < segmentOf.length; i++) {
        const s = segmentOf[i]!;
        // TF drops ids outside [0, numSegments) the same way.
        if (s < 0 || s >= segments) continue;
        for (let k = 0; k < row; k++) out[s * row + k]! += values[i * row + k]!;
      }
      return b.makeOutput([segments, ...rowShape], x.dtype, undefined, out);
    }) as never,
  });
  installed = true;
}
