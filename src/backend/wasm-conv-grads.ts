/**
 * Conv2D gradients for the wasm backend, expressed as forward conv2d calls.
 *
 * tfjs-backend-wasm 4.22 ships no Conv2DBackpropFilter kernel, so conv training fails on wasm
 * without one; and its Conv2DBackpropInput is slower than XNNPACK's forward conv. For stride-1,
 * dilation-1 convs (the common case) both gradients are forward convolutions:
 *  - filter gradient: the batch↔channel-transposed input convolved with the transposed dy;
 *  - input gradient: dy padded by (k−1−pad) convolved with the flipped, in/out-transposed filter.
 * Other strides/dilations fall back to the backend's own input-gradient kernel, and to a
 * dilated-conv formulation for the filter gradient.
 */
import type * as tfType from '@tensorflow/tfjs';

type Tf = typeof tfType;
type TensorInfo = tfType.TensorInfo;
type KernelFunc = (args: {
  inputs: Record<string, TensorInfo>;
  backend: unknown;
  attrs?: Record<string, unknown>;
}) => TensorInfo | TensorInfo[];

interface DisposableBackend {
  disposeData(dataId: object): boolean;
}

let installed = false;

/** Registers the faster conv gradient kernels on the wasm backend (idempotent). */
export function installWasmConvGradients(tf: Tf): void {
  if (installed) return;
  const kernel = (name: string): KernelFunc => {
    const config = tf.getKernel(name, 'wasm');
    if (!config) throw new Error(`wasm backend has no ${name} kernel`);
    return config.kernelFunc as unknown as KernelFunc;
  };
  const conv2d = kernel('Conv2D');
  const transpose = kernel('Transpose');
  const reverse = kernel('Reverse');
  const slice = kernel('Slice');
  const nativeBackpropInput = tf.getKernel('Conv2DBackpropInput', 'wasm');

  const run = (
    f: KernelFunc,
    inputs: Record<string, TensorInfo>,
    backend: unknown,
    attrs: Record<string, unknown>,
  ) => f({ inputs, backend, attrs }) as TensorInfo;
  const free = (backend: unknown, ...infos: TensorInfo[]) => {
    for (const t of infos) (backend as DisposableBackend).disposeData(t.dataId);
  };

  const backpropFilter: KernelFunc = ({ inputs, backend, attrs = {} }) => {
    const x = inputs.x!;
    const dy = inputs.dy!;
    const filterShape = attrs.filterShape as [number, number, number, number];
    const strides = attrs.strides as number | [number, number];
    const [strideH, strideW] = typeof strides === 'number' ? [strides, strides] : strides;
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      filterShape,
      strides,
      1,
      attrs.pad as 'same' | 'valid' | number,
      attrs.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
    );
    const { top, bottom, left, right } = info.padInfo;
    // [n, h, w, ci] → [ci, h, w, n]: input channels become the batch, samples the channels.
    const xT = run(transpose, { x }, backend, { perm: [3, 1, 2, 0] });
    // [n, oh, ow, co] → [oh, ow, n, co]: dy becomes the filter.
    const dyT = run(transpose, { x: dy }, backend, { perm: [1, 2, 0, 3] });
    const grad = run(conv2d, { x: xT, filter: dyT }, backend, {
      strides: [1, 1],
      dilations: [strideH, strideW],
      pad: [
        [0, 0],
        [top, bottom],
        [left, right],
        [0, 0],
      ],
      dataFormat: 'NHWC',
    });
    free(backend, xT, dyT);
    // [ci, kh', kw', co] (kh' ≥ kh when strides leave a remainder) → [kh, kw, ci, co].
    let cropped = grad;
    const [kh, kw] = filterShape;
    if (grad.shape[1] !== kh || grad.shape[2] !== kw) {
      cropped = run(slice, { x: grad }, backend, {
        begin: [0, 0, 0, 0],
        size: [grad.shape[0], kh, kw, grad.shape[3]],
      });
      free(backend, grad);
    }
    const out = run(transpose, { x: cropped }, backend, { perm: [1, 2, 0, 3] });
    free(backend, cropped);
    return out;
  };

  const backpropInput: KernelFunc = (args) => {
    const { inputs, backend, attrs = {} } = args;
    const dy = inputs.dy!;
    const filter = inputs.filter!;
    const inputShape = attrs.inputShape as [number, number, number, number];
    const strides = attrs.strides as number | [number, number];
    const [strideH, strideW] = typeof strides === 'number' ? [strides, strides] : strides;
    if (strideH !== 1 || strideW !== 1) {
      if (!nativeBackpropInput) throw new Error('wasm backend has no Conv2DBackpropInput kernel');
      return (nativeBackpropInput.kernelFunc as unknown as KernelFunc)(args);
    }
    const info = tf.backend_util.computeConv2DInfo(
      inputShape,
      filter.shape as [number, number, number, number],
      1,
      1,
      attrs.pad as 'same' | 'valid' | number,
      attrs.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
    );
    const { top, bottom, left, right } = info.padInfo;
    const kh = info.filterHeight;
    const kw = info.filterWidth;
    const flipped = run(reverse, { x: filter }, backend, { dims: [0, 1] });
    const flippedT = run(transpose, { x: flipped }, backend, { perm: [0, 1, 3, 2] });
    free(backend, flipped);
    const dx = run(conv2d, { x: dy, filter: flippedT }, backend, {
      strides: [1, 1],
      dilations: [1, 1],
      pad: [
        [0, 0],
        [kh - 1 - top, kh - 1 - bottom],
        [kw - 1 - left, kw - 1 - right],
        [0, 0],
      ],
      dataFormat: 'NHWC',
    });
    free(backend, flippedT);
    return dx;
  };

  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: backpropFilter as never,
  });
  if (nativeBackpropInput) tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
  tf.registerKernel({
    kernelName: 'Conv2DBackpropInput',
    backendName: 'wasm',
    kernelFunc: backpropInput as never,
  });
  installed = true;
}
