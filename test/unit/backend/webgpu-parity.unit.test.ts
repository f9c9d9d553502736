// WebGPU (Dawn) against the cpu backend: forward pass, one SGD step and the probe statistics of a
// small CNN with identical weights. On a machine without a GPU this runs on Mesa's llvmpipe through
// Dawn's OpenGL ES backend, so the GPU kernels are exercised on every commit.
//
// Tolerances: values agree to 1e-4 relative (plus 1e-6 absolute for values near zero); counts are
// exact except for elements within 1e-5 of the threshold or of a histogram bin edge, where the two
// backends' different summation orders may put an element on the other side.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadTf, type Tf } from '../../../src/backend/tf';
import { initWebGpu, takeWebGpuErrors, type WebGpuInit } from '../../../src/backend/webgpu';
import { seededRandom } from '../../../src/training/rng';

const REL = 1e-4;
const ABS = 1e-6;
const EDGE = 1e-5;
const BINS = 64;
const BATCH = 8;
const SIDE = 12;
const FILTERS = 4;
const CLASSES = 10;

let tf: Tf;
let init: WebGpuInit;

before(async () => {
  tf = await loadTf();
  init = await initWebGpu(tf, { allowSoftware: true });
  if (init.ok) {
    // Small ops would otherwise be forwarded to CPU kernels and the GPU would not be tested.
    tf.env().set('WEBGPU_CPU_FORWARD', false);
    console.log(`# webgpu parity on: ${init.detail}`);
  }
});

function skipReason(): string | null {
  return init.ok ? null : `no WebGPU adapter could be created here: ${init.reason}`;
}

function randomArray(n: number, seed: number, scale: number, offset = 0): Float32Array {
  const random = seededRandom(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (random() * 2 - 1) * scale + offset;
  return out;
}

/** Identical inputs and weights for both backends, as plain arrays (tensors cannot cross backends). */
const inputs = randomArray(BATCH * SIDE * SIDE, 1, 1);
const labels = Float32Array.from({ length: BATCH * CLASSES }, (_, i) =>
  i % CLASSES === (Math.floor(i / CLASSES) * 3) % CLASSES ? 1 : 0,
);
const convKernel = randomArray(3 * 3 * 1 * FILTERS, 2, 0.6);
// A negative bias on one channel makes it mostly dead, so fire counts are not all trivially full.
const convBias = Float32Array.from([0.05, -0.02, -0.9, 0.1]);
const flat = ((SIDE - 2) / 2) * ((SIDE - 2) / 2) * FILTERS;
const denseKernel = randomArray(flat * CLASSES, 3, 0.2);
const denseBias = randomArray(CLASSES, 4, 0.05);

function buildModel() {
  const model = tf.sequential();
  model.add(
    tf.layers.conv2d({ inputShape: [SIDE, SIDE, 1], filters: FILTERS, kernelSize: 3, activation: 'relu' }),
  );
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: CLASSES, activation: 'softmax' }));
  const weights = [
    tf.tensor4d(convKernel, [3, 3, 1, FILTERS]),
    tf.tensor1d(convBias),
    tf.tensor2d(denseKernel, [flat, CLASSES]),
    tf.tensor1d(denseBias),
  ];
  model.setWeights(weights); // copies the values
  tf.dispose(weights);
  return model;
}

/** Runs `work` with `backend` active, asserting the switch really happened. */
async function on<T>(backend: 'cpu' | 'webgpu', work: () => Promise<T>): Promise<T> {
  assert.equal(await tf.setBackend(backend), true, `setBackend('${backend}')`);
  assert.equal(tf.getBackend(), backend);
  const result = await work();
  // A GPU validation error voids a whole command buffer without an exception: fail loudly.
  if (backend === 'webgpu') assert.deepEqual(takeWebGpuErrors(), [], 'WebGPU device errors');
  return result;
}

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  let worst = 0;
  let worstAt = -1;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i] as number;
    const e = expected[i] as number;
    const excess = Math.abs(a - e) - (REL * Math.abs(e) + ABS);
    if (!(excess <= worst) || Number.isNaN(a)) {
      worst = Number.isNaN(a) ? Infinity : excess;
      worstAt = i;
    }
  }
  assert.ok(worstAt < 0, `${what}[${worstAt}]: webgpu ${actual[worstAt]} vs cpu ${expected[worstAt]}`);
}

describe('webgpu parity with cpu', () => {
  test('forward pass of a small CNN', async (t) => {
    const skip = skipReason();
    if (skip) return t.skip(skip);
    const forward = (backend: 'cpu' | 'webgpu') =>
      on(backend, async () => {
        const model = buildModel();
        const out = tf.tidy(
          () => model.predict(tf.tensor4d(inputs, [BATCH, SIDE, SIDE, 1])) as ReturnType<Tf['tensor']>,
        );
        const values = await out.data();
        out.dispose();
        model.dispose();
        return values;
      });
    const cpu = await forward('cpu');
    const gpu = await forward('webgpu');
    assertClose(gpu, cpu, 'softmax output');
    // The outputs must be a real distribution, not zeros on both sides.
    assert.ok(Math.abs(Array.from(cpu.slice(0, CLASSES)).reduce((s, v) => s + Number(v), 0) - 1) < 1e-5);
  });

  test('weights after one SGD step', async (t) => {
    const skip = skipReason();
    if (skip) return t.skip(skip);
    const step = (backend: 'cpu' | 'webgpu') =>
      on(backend, async () => {
        const model = buildModel();
        model.compile({ optimizer: tf.train.sgd(0.5), loss: 'categoricalCrossentropy' });
        const x = tf.tensor4d(inputs, [BATCH, SIDE, SIDE, 1]);
        const y = tf.tensor2d(labels, [BATCH, CLASSES]);
        const loss = await model.trainOnBatch(x, y);
        const weights = await Promise.all(model.getWeights().map((w) => w.data()));
        x.dispose();
        y.dispose();
        model.dispose();
        return { loss: loss as number, weights };
      });
    const cpu = await step('cpu');
    const gpu = await step('webgpu');
    assertClose([gpu.loss], [cpu.loss], 'loss');
    const names = ['conv kernel', 'conv bias', 'dense kernel', 'dense bias'];
    cpu.weights.forEach((w, i) => assertClose(gpu.weights[i] as ArrayLike<number>, w, names[i] as string));
    // The step must have moved the weights, or the comparison proves nothing.
    assert.notDeepEqual(Array.from(cpu.weights[0] as Float32Array), Array.from(convKernel));
  });

  test('probe statistics: fire counts, mean, std, 64-bin histogram', async (t) => {
    const skip = skipReason();
    if (skip) return t.skip(skip);
    const lo = -3;
    const hi = 3;
    const probe = (backend: 'cpu' | 'webgpu') =>
      on(backend, async () => {
        const [pre, fires, mean, std, hist] = tf.tidy(() => {
          const x = tf.tensor4d(inputs, [BATCH, SIDE, SIDE, 1]);
          const preActivation = tf
            .conv2d(x, tf.tensor4d(convKernel, [3, 3, 1, FILTERS]), 1, 'valid')
            .add(tf.tensor1d(convBias));
          const post = tf.relu(preActivation);
          const fireCount = tf.greater(post, 0).cast('int32').sum([0, 1, 2]);
          const moments = tf.moments(post, [0, 1, 2]);
          const bin = preActivation
            .sub(lo)
            .mul(BINS / (hi - lo))
            .floor()
            .clipByValue(0, BINS - 1)
            .cast('int32')
            .reshape([-1]);
          const histogram = tf.bincount(bin as ReturnType<Tf['tensor1d']>, [], BINS);
          return [preActivation, fireCount, moments.mean, moments.variance.sqrt(), histogram];
        });
        const read = await Promise.all([pre, fires, mean, std, hist].map((r) => r.data()));
        tf.dispose([pre, fires, mean, std, hist]);
        return {
          pre: read[0] as Float32Array,
          fires: read[1]!,
          mean: read[2]!,
          std: read[3]!,
          hist: read[4]!,
        };
      });
    const cpu = await probe('cpu');
    const gpu = await probe('webgpu');

    // Per-channel tolerance: elements whose pre-activation (cpu) is within EDGE of 0 or of a bin edge.
    const nearZero = new Array<number>(FILTERS).fill(0);
    let nearEdge = 0;
    cpu.pre.forEach((v, i) => {
      if (Math.abs(v) <= EDGE) nearZero[i % FILTERS]! += 1;
      const pos = ((v - lo) * BINS) / (hi - lo);
      if (Math.abs(pos - Math.round(pos)) * ((hi - lo) / BINS) <= EDGE) nearEdge += 1;
    });
    for (let c = 0; c < FILTERS; c++) {
      assert.ok(
        Math.abs((gpu.fires[c] as number) - (cpu.fires[c] as number)) <= (nearZero[c] as number),
        `fire count of channel ${c}: webgpu ${gpu.fires[c]} vs cpu ${cpu.fires[c]}`,
      );
    }
    assertClose(gpu.mean, cpu.mean, 'per-channel mean');
    assertClose(gpu.std, cpu.std, 'per-channel std');
    let moved = 0;
    for (let b = 0; b < BINS; b++) moved += Math.abs((gpu.hist[b] as number) - (cpu.hist[b] as number));
    assert.ok(moved <= 2 * nearEdge, `histogram differs by ${moved} counts (allowed ${2 * nearEdge})`);
    const total = Array.from(gpu.hist).reduce((s, v) => s + v, 0);
    assert.equal(total, BATCH * (SIDE - 2) * (SIDE - 2) * FILTERS, 'every element lands in a bin');
    // Channel 2's bias makes it fire far less often than the others: the counts carry information.
    assert.ok((cpu.fires[2] as number) < (cpu.fires[0] as number));
  });

  test('a forward pass on webgpu leaves no tensors behind', async (t) => {
    const skip = skipReason();
    if (skip) return t.skip(skip);
    await on('webgpu', async () => {
      const before = tf.memory().numTensors;
      const model = buildModel();
      const out = tf.tidy(
        () => model.predict(tf.tensor4d(inputs, [BATCH, SIDE, SIDE, 1])) as ReturnType<Tf['tensor']>,
      );
      await out.data();
      out.dispose();
      model.dispose();
      assert.equal(tf.memory().numTensors, before);
    });
  });

  test('integer and mask transposes (the reduction path of fire counts)', async (t) => {
    const skip = skipReason();
    if (skip) return t.skip(skip);
    // tfjs-backend-webgpu 4.22 emits invalid WGSL for these; src/backend/webgpu-int-transpose.ts fixes it.
    const run = (backend: 'cpu' | 'webgpu') =>
      on(backend, async () => {
        const outs = tf.tidy(() => {
          const x = tf.tensor4d(randomArray(2 * 3 * 5 * 4, 7, 1), [2, 3, 5, 4]);
          const mask = tf.greater(x, 0);
          const ints = tf.tensor4d(
            Int32Array.from({ length: 120 }, (_, i) => i * 7 - 300),
            [2, 3, 5, 4],
            'int32',
          );
          return [
            tf.transpose(mask, [3, 0, 1, 2]),
            tf.transpose(ints, [2, 0, 3, 1]),
            mask.cast('int32').sum([0, 1, 2]),
            mask.cast('float32').sum([0, 1, 2]),
            ints.sum([0, 2]),
          ];
        });
        const values = await Promise.all(outs.map((o) => o.data()));
        tf.dispose(outs);
        return values.map((v) => Array.from(v));
      });
    const cpu = await run('cpu');
    const gpu = await run('webgpu');
    assert.deepEqual(gpu, cpu);
  });

  test('a software adapter is refused when software is not allowed', async (t) => {
    const skip = skipReason();
    if (skip) return t.skip(skip);
    if (!init.ok || !init.software) return t.skip('the adapter here is hardware');
    const refused = await initWebGpu(tf, { allowSoftware: false });
    assert.equal(refused.ok, false);
    if (!refused.ok) assert.match(refused.reason, /only a software WebGPU adapter/);
  });

  test('a device error makes the next read reject instead of returning voided results', async (t) => {
    const skip = skipReason();
    if (skip) return t.skip(skip);
    await tf.setBackend('webgpu');
    const device = (
      tf.backend() as unknown as { device: { createShaderModule(d: { code: string }): unknown } }
    ).device;
    // A real validation error on the device tfjs uses, as a broken kernel would produce.
    device.createShaderModule({ code: 'fn broken() { let x: f32 = 1i; }' });
    const product = tf.tidy(() => tf.matMul(tf.fill([64, 64], 1), tf.fill([64, 64], 1)));
    await assert.rejects(product.data(), /WebGPU device error, results are invalid: .*WGSL/);
    product.dispose();
    const again = tf.tidy(() => tf.matMul(tf.fill([64, 64], 1), tf.fill([64, 64], 2)).sum());
    assert.equal((await again.data())[0], 64 * 64 * 128, 'reads work again once the error is reported');
    again.dispose();
  });
});
