// The `tensorflow` route (tfjs-node, libtensorflow) against the cpu backend: forward pass, one
// training step through the engine's Trainer and the probe statistics of a small CNN with
// identical weights. Runs where ACTIVATION_LENS_TFJS_NODE_PATH names a working tfjs-node install
// (scripts/setup-tfjs-node-local.sh builds one from the local tensorflow-cpu wheel); skips otherwise.
//
// Tolerances: values agree to 1e-4 relative (plus 1e-6 absolute near zero); counts are exact except
// for outputs within 1e-5 of 0 or of a histogram bin edge, which the two backends' different
// summation orders may put on the other side.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type * as tfType from '@tensorflow/tfjs';
import { ROUTES, TFJS_NODE_PATH_ENV } from '../../../src/backend/routes';
import { loadTf, type Tf } from '../../../src/backend/tf';
import { TFJS_NODE_VERSION } from '../../../src/backend/tfjs-node';
import type { Splits } from '../../../src/data/splits';
import { summariseProbe } from '../../../src/probe/statistics';
import { rangeOfEdges, type HistogramRange } from '../../../src/histogram';
import { selectTaps, tapModel } from '../../../src/probe/taps';
import type { LayerProbe } from '../../../src/protocol';
import { trainingPlan } from '../../../src/training/plan';
import { Trainer } from '../../../src/training/trainer';
import { seededRandom } from '../../../src/training/rng';

const REL = 1e-4;
const ABS = 1e-6;
const EDGE = 1e-5;
const BATCH = 8;
const SIDE = 12;
const FILTERS = 4;
const HIDDEN = 8;
const CLASSES = 10;

let cpu: Tf;
let tensorflow: Tf | null = null;
let skipReason: string | null = null;

before(async () => {
  if (!process.env[TFJS_NODE_PATH_ENV]) {
    skipReason = `${TFJS_NODE_PATH_ENV} is not set (scripts/setup-tfjs-node-local.sh builds a tfjs-node install and prints the value)`;
    return;
  }
  const route = await ROUTES.tensorflow(await loadTf());
  if (!route.ok) {
    skipReason = `the tensorflow route does not start with ${TFJS_NODE_PATH_ENV}=${process.env[TFJS_NODE_PATH_ENV]}: ${route.reason}`;
    return;
  }
  tensorflow = route.tf;
  console.log(`# tensorflow route: ${route.detail}`);
  cpu = await loadTf();
});

/**
 * Makes `tf`'s own backend active. The two TF.js copies (the engine's and tfjs-node's) share one
 * engine — tfjs-core keeps it on a global — so the active backend is switched, and checked, per side.
 */
async function on(tf: Tf): Promise<Tf> {
  const backend = tf === tensorflow ? 'tensorflow' : 'cpu';
  assert.equal(await tf.setBackend(backend), true, `setBackend('${backend}')`);
  assert.equal(tf.getBackend(), backend);
  return tf;
}

function randomArray(n: number, seed: number, scale: number): Float32Array {
  const random = seededRandom(seed);
  return Float32Array.from({ length: n }, () => (random() * 2 - 1) * scale);
}

const inputs = randomArray(BATCH * SIDE * SIDE, 1, 1);
const labels = Int32Array.from({ length: BATCH }, (_, i) => (i * 3) % CLASSES);
const convKernel = randomArray(3 * 3 * 1 * FILTERS, 2, 0.6);
// A negative bias makes channel 2 mostly silent, so fire counts are not all trivially full.
const convBias = Float32Array.from([0.05, -0.02, -0.9, 0.1]);
const flat = ((SIDE - 2) / 2) * ((SIDE - 2) / 2) * FILTERS;
const hiddenKernel = randomArray(flat * HIDDEN, 3, 0.2);
// Two hidden units start dead on every input: the probe's dead set is not empty.
const hiddenBias = Float32Array.from([0.1, -0.05, -50, 0.02, 0, -50, 0.05, -0.1]);
const outKernel = randomArray(HIDDEN * CLASSES, 4, 0.5);
const outBias = randomArray(CLASSES, 5, 0.05);

function buildModel(tf: Tf): tfType.LayersModel {
  const model = tf.sequential();
  model.add(
    tf.layers.conv2d({ inputShape: [SIDE, SIDE, 1], filters: FILTERS, kernelSize: 3, activation: 'relu' }),
  );
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: HIDDEN, activation: 'relu' }));
  model.add(tf.layers.dense({ units: CLASSES, activation: 'softmax' }));
  const weights = [
    tf.tensor4d(convKernel, [3, 3, 1, FILTERS]),
    tf.tensor1d(convBias),
    tf.tensor2d(hiddenKernel, [flat, HIDDEN]),
    tf.tensor1d(hiddenBias),
    tf.tensor2d(outKernel, [HIDDEN, CLASSES]),
    tf.tensor1d(outBias),
  ];
  model.setWeights(weights); // copies the values
  tf.dispose(weights);
  return model;
}

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i] as number;
    const e = expected[i] as number;
    assert.ok(Math.abs(a - e) <= REL * Math.abs(e) + ABS, `${what}[${i}]: tensorflow ${a} vs cpu ${e}`);
  }
}

describe('tensorflow route (tfjs-node) parity with cpu', () => {
  test('the route gives tfjs-node 4.22.0 on the tensorflow backend', async (t) => {
    if (!tensorflow) return t.skip(skipReason ?? '');
    assert.equal(tensorflow.version.tfjs, TFJS_NODE_VERSION);
    // tfjs-node brings its own copy of TF.js, sharing the engine's global state.
    assert.notEqual(tensorflow, cpu);
    await on(tensorflow);
    await on(cpu);
    assert.equal(tensorflow.getBackend(), 'cpu');
    await on(tensorflow);
    assert.equal(cpu.getBackend(), 'tensorflow');
    // The tensorflow backend is libtensorflow's, not a JavaScript one under another name.
    assert.equal(tensorflow.backend().constructor.name, 'NodeJSKernelBackend');
  });

  test('forward pass of a small CNN', async (t) => {
    if (!tensorflow) return t.skip(skipReason ?? '');
    const forward = async (side: Tf) => {
      const tf = await on(side);
      const model = buildModel(tf);
      const out = tf.tidy(() => model.predict(tf.tensor4d(inputs, [BATCH, SIDE, SIDE, 1])) as tfType.Tensor);
      const values = await out.data();
      out.dispose();
      model.dispose();
      return values;
    };
    const expected = await forward(cpu);
    assertClose(await forward(tensorflow), expected, 'softmax output');
    // A real distribution, not zeros on both sides.
    const rowSum = Array.from(expected.slice(0, CLASSES)).reduce((s, v) => s + Number(v), 0);
    assert.ok(Math.abs(rowSum - 1) < 1e-5);
  });

  test("one training step through the engine's Trainer", async (t) => {
    if (!tensorflow) return t.skip(skipReason ?? '');
    const split = { x: inputs, targets: [Float32Array.from(labels)], count: BATCH };
    const splits: Splits = {
      name: 'parity',
      sampleShape: [SIDE, SIDE, 1],
      classes: CLASSES,
      labels: [{ output: null, form: 'index', width: 1, what: 'the parity labels' }],
      tokenIds: false,
      builtIn: false,
      train: split,
      probe: split,
      validation: split,
    };
    const step = async (side: Tf) => {
      const tf = await on(side);
      const model = buildModel(tf);
      const trainer = new Trainer(
        tf,
        model,
        splits,
        { batchSize: BATCH, seed: 7, optimizer: 'sgd', learningRate: 0.5 },
        trainingPlan(model, null, splits),
      );
      const result = await trainer.step();
      const weights = await Promise.all(model.getWeights().map((w) => w.data()));
      model.dispose();
      return { ...result, weights };
    };
    const expected = await step(cpu);
    const actual = await step(tensorflow);
    assertClose([actual.loss], [expected.loss], 'loss');
    assert.equal(actual.accuracy, expected.accuracy, 'accuracy');
    const names = [
      'conv kernel',
      'conv bias',
      'hidden kernel',
      'hidden bias',
      'output kernel',
      'output bias',
    ];
    expected.weights.forEach((w, i) =>
      assertClose(actual.weights[i] as ArrayLike<number>, w, names[i] as string),
    );
    // The step must have moved the weights, or the comparison proves nothing.
    assert.notDeepEqual(Array.from(expected.weights[0] as Float32Array), Array.from(convKernel));
  });

  test('probe statistics (summariseProbe): fire counts, dead and dormant units, moments, histogram', async (t) => {
    if (!tensorflow) return t.skip(skipReason ?? '');
    // Both sides bin into the same ranges: the ones the cpu side chose at its first probe.
    let ranges: (HistogramRange | null)[] | null = null;
    const probe = async (side: Tf) => {
      const tf = await on(side);
      const model = buildModel(tf);
      const taps = selectTaps(model);
      const tapped = tapModel(tf, model, taps);
      const x = tf.tensor4d(inputs, [BATCH, SIDE, SIDE, 1]);
      const outputs = tapped.predict(x) as tfType.Tensor[];
      const layers = await summariseProbe(tf, outputs, taps, {
        step: 0,
        ranges: ranges ?? taps.map(() => null),
        dormantTau: 0.1,
      });
      ranges ??= layers.map((l) => rangeOfEdges(l.histogram.edges));
      const values = await Promise.all(outputs.map((o) => o.data()));
      tf.dispose([x, ...outputs]);
      model.dispose();
      return { layers, values };
    };
    const expected = await probe(cpu);
    const actual = await probe(tensorflow);
    assert.deepEqual(
      actual.layers.map((l) => l.layer),
      expected.layers.map((l) => l.layer),
    );
    expected.layers.forEach((e: LayerProbe, i) => {
      const a = actual.layers[i]!;
      const cpuValues = expected.values[i] as Float32Array;
      const tfValues = actual.values[i] as Float32Array;
      // Per unit: outputs where either side is in (0, EDGE] may fire on one side only.
      const nearZero = new Array<number>(e.units).fill(0);
      let nearEdge = 0;
      const { lo, width } = ranges![i]!;
      cpuValues.forEach((v, k) => {
        const w = tfValues[k] as number;
        if ((v > 0 && v <= EDGE) || (w > 0 && w <= EDGE)) nearZero[k % e.units]! += 1;
        const pos = (v - lo) / width;
        if (Math.abs(pos - Math.round(pos)) * width <= EDGE) nearEdge += 1;
      });
      for (let u = 0; u < e.units; u++) {
        assert.ok(
          Math.abs((a.fireCount[u] as number) - (e.fireCount[u] as number)) <= (nearZero[u] as number),
          `${e.layer} fire count of unit ${u}: tensorflow ${a.fireCount[u]} vs cpu ${e.fireCount[u]}`,
        );
      }
      if (nearZero.every((n) => n === 0)) {
        assert.deepEqual(a.dead, e.dead, `${e.layer} dead units`);
        assert.equal(a.sparsity, e.sparsity, `${e.layer} sparsity`);
      }
      assert.deepEqual(a.dormant, e.dormant, `${e.layer} dormant units`);
      assert.equal(a.observationsPerUnit, e.observationsPerUnit);
      assert.equal(a.nonFinite, 0);
      assertClose(
        [a.mean, a.std, a.min, a.max, a.meanAbs],
        [e.mean, e.std, e.min, e.max, e.meanAbs],
        `${e.layer} moments`,
      );
      let moved = 0;
      e.histogram.counts.forEach((c, b) => (moved += Math.abs((a.histogram.counts[b] as number) - c)));
      assert.ok(
        moved <= 2 * nearEdge,
        `${e.layer} histogram differs by ${moved} counts (allowed ${2 * nearEdge})`,
      );
      assert.deepEqual(a.histogram.edges, e.histogram.edges);
    });
    // The statistics carry information: the silenced hidden units are dead on both backends.
    const hidden = expected.layers.find((l) => l.units === HIDDEN)!;
    assert.deepEqual(hidden.dead.units, [2, 5]);
    assert.deepEqual(actual.layers.find((l) => l.units === HIDDEN)!.dead.units, [2, 5]);
  });
});
