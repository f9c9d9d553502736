// Every fixture's topology is one TF.js itself accepts: tf.models.modelFromJSON builds it on the
// cpu backend with the expected layer names and output shapes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTfjsSource } from '../../../src/model/readers/tfjs-source/index';
import { loadTf } from '../../../src/backend/tf';
import { fixture } from './fixture-path';

const EXPECTED: Record<string, Record<string, (number | null)[]>> = {
  'sequential-layers-array.ts': {
    conv2d: [null, 26, 26, 32],
    max_pooling2d: [null, 13, 13, 32],
    flatten: [null, 5408],
    dense: [null, 10],
  },
  'mnist-dense-node.js': {
    dense: [null, 256],
    dropout: [null, 256],
    dense_1: [null, 128],
    dense_2: [null, 10],
  },
  'tfjs-examples-mnist.js': {
    conv2d: [null, 26, 26, 16],
    max_pooling2d: [null, 13, 13, 16],
    conv2d_1: [null, 11, 11, 32],
    max_pooling2d_1: [null, 5, 5, 32],
    conv2d_2: [null, 3, 3, 32],
    flatten: [null, 288],
    dense: [null, 64],
    dense_1: [null, 10],
  },
  'named-imports-activations.ts': {
    dense: [null, 64],
    re_lu: [null, 64],
    dense_1: [null, 128],
    elu: [null, 128],
    leaky_re_lu: [null, 64],
    p_re_lu: [null, 32],
    dense_4: [null, 10],
  },
  'machinecurve-cnn.ts': {
    conv2d: [null, 26, 26, 32],
    conv2d_1: [null, 24, 24, 64],
    max_pooling2d: [null, 12, 12, 64],
    flatten: [null, 9216],
    dense: [null, 256],
    dense_1: [null, 10],
  },
  'reshape-average-pooling.ts': {
    reshape: [null, 28, 28, 1],
    conv2d: [null, 28, 28, 8],
    average_pooling2d: [null, 14, 14, 8],
    conv2d_1: [null, 12, 12, 16],
    global_average_pooling2d: [null, 16],
    dense: [null, 10],
  },
  'conv1d-activation-layer.js': {
    conv1d: [null, 96, 4],
    activation: [null, 96, 4],
    max_pooling1d: [null, 48, 4],
    flatten: [null, 192],
    dense: [null, 16],
    dense_1: [null, 3],
  },
  'browser-global-class.js': {
    flatten: [null, 784],
    dense: [null, 100],
    dense_1: [null, 100],
    dense_2: [null, 10],
  },
  'unsupported-constructs.ts': { dense: [null, 32], dense_1: [null, 16], dense_2: [null, 10] },
  'syntax-error.js': { dense: [null, 64], dense_1: [null, 2] },
};

test('each fixture topology builds with tf.models.modelFromJSON (cpu) with the expected shapes', async () => {
  const tf = await loadTf();
  await tf.setBackend('cpu');
  assert.equal(tf.getBackend(), 'cpu');
  for (const [name, shapes] of Object.entries(EXPECTED)) {
    const { text, file } = fixture(name);
    const spec = parseTfjsSource(text, file);
    const model = await tf.models.modelFromJSON({
      modelTopology: spec.topology as unknown as import('@tensorflow/tfjs').io.ModelJSON['modelTopology'],
    });
    assert.deepEqual(
      model.layers.map((l) => l.name),
      spec.layers.map((l) => l.name),
      `${name}: layer names`,
    );
    for (const [layer, shape] of Object.entries(shapes)) {
      assert.deepEqual(model.getLayer(layer).outputShape, shape, `${name}: ${layer}`);
    }
    // The kernel initializer the spec reports is the one TF.js built (it serializes them all as
    // VarianceScaling, so compare the scaling parameters).
    for (const l of spec.layers) {
      if (!l.kernelInitializer) continue;
      const cfg = model.getLayer(l.name).getConfig() as {
        kernelInitializer: { config: { scale: number; mode: string; distribution: string } };
      };
      const { scale, mode, distribution } = cfg.kernelInitializer.config;
      assert.deepEqual(
        { scale, mode, distribution },
        VARIANCE_SCALING[l.kernelInitializer],
        `${name}: ${l.name} initializer`,
      );
    }
    model.dispose();
  }
});

const VARIANCE_SCALING: Record<string, { scale: number; mode: string; distribution: string }> = {
  glorot_normal: { scale: 1, mode: 'fanAvg', distribution: 'normal' },
  he_normal: { scale: 2, mode: 'fanIn', distribution: 'normal' },
  he_uniform: { scale: 2, mode: 'fanIn', distribution: 'uniform' },
};
