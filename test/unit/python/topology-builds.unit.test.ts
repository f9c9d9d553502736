import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { readFixture } from './python-fixtures';
import { buildModel } from '../../../src/model/build/build';

/** Every fixture with a model: TF.js output shape of the last layer, and parameters where the original's count is known. */
const expected: Record<string, { output: (number | null)[]; params?: number }> = {
  'keras_elu_machinecurve.py': { output: [null, 10], params: 431242 },
  'keras_relu_machinecurve.py': { output: [null, 10], params: 431242 },
  'keras_tf_quickstart.py': { output: [null, 10], params: 101770 },
  'keras_io_simple_convnet.py': { output: [null, 10], params: 34826 },
  'keras_functional_mlp.py': { output: [null, 10], params: 55050 },
  'keras_functional_residual.py': { output: [null, 10] },
  'keras_tf_cnn_cifar.py': { output: [null, 10], params: 122570 },
  'keras_old_submodules.py': { output: [null, 10] },
  'keras3_activation_layers.py': { output: [null, 10] },
  'keras_conv1d_sequence.py': { output: [null, 6] },
  'keras_build_function.py': { output: [null, 10] },
  'keras_loop_unrolled.py': { output: [null, 10] },
  'keras_star_import.py': { output: [null, 10], params: 669706 },
  // PyTorch's count for its MNIST example Net is 1,199,882; the quickstart's is 669,706.
  'torch_mnist_example.py': { output: [null, 10], params: 1199882 },
  'torch_quickstart_fashion.py': { output: [null, 10], params: 669706 },
  'torch_sequential_cnn.py': { output: [null, 10] },
  'torch_lenet_nested.py': { output: [null, 10], params: 44426 },
  // The PyTorch CIFAR-10 tutorial's Net has 62,006 parameters.
  'torch_cifar_tutorial.py': { output: [null, 10], params: 62006 },
  'torch_shape_mismatch.py': { output: [null, 10] },
  'torch_leaky_args.py': { output: [null, 10] },
  'mixed_imports_torch.py': { output: [null, 10] },
  'torch_branching.py': { output: [null, 10] },
  'torch_modulelist_loop.py': { output: [null, 10] },
  'malformed_syntax_error.py': { output: [null, 10] },
  'malformed_custom_layers.py': { output: [null, 10] },
  'malformed_dynamic_loop.py': { output: [null, 10] },
  // Issue 12's fixtures; Keras counts are keras 3's count_params() of the same files.
  'torch_comment_in_sequential.py': { output: [null, 10], params: 16 * 9 + 16 + 16 * 14 * 14 * 10 + 10 },
  'keras_comment_in_list.py': { output: [null, 10], params: 54410 },
  'keras_augmented_residual.py': { output: [null, 10], params: 38474 },
  'torch_augmented_residual.py': { output: [null, 10] },
  'keras_layer_aliases.py': { output: [null, 10], params: 5130 },
  'keras_loop_helper_add.py': { output: [null, 10], params: 64554 },
  'keras_gan_two_models.py': { output: [null, 1], params: 214673 },
  'torch_siamese.py': { output: [null, 64] },
  'torch_trailing_dot_floats.py': { output: [null, 10] },
  'torch_submodule_after.py': { output: [null, 10] },
  'keras_imdb_bilstm.py': { output: [null, 1], params: 2757761 },
  'keras_reuters_conv1d.py': { output: [null, 46], params: 774382 },
  'keras_sequence_regression.py': { output: [null, 1] },
  'keras_multi_output.py': { output: [null, 3], params: 16836 },
  'torch_regression.py': { output: [null, 1], params: 13 * 64 + 64 + 64 * 64 + 64 + 64 + 1 },
};

before(async () => {
  await tf.setBackend('cpu');
});

for (const [file, want] of Object.entries(expected)) {
  test(`${file}: the topology builds with tf.models.modelFromJSON`, async () => {
    const { spec } = readFixture(file);
    const model = await buildModel(tf, spec, 1);
    try {
      // Sequential models hide their InputLayer; functional ones list it, as the spec does (the
      // spec in call order, TF.js by depth).
      assert.deepEqual(model.layers.map((l) => l.name).sort(), spec.layers.map((l) => l.name).sort());
      assert.deepEqual(model.outputs[0]!.shape, want.output);
      if (want.params !== undefined) assert.equal(model.countParams(), want.params);
      const probe = tf.zeros([2, ...model.inputs[0]!.shape.slice(1).map((d) => d ?? 7)]);
      const predicted = model.predict(probe) as tf.Tensor | tf.Tensor[];
      const out = Array.isArray(predicted) ? predicted[0]! : predicted;
      assert.deepEqual(out.shape, [2, ...(want.output.slice(1) as number[])]);
      tf.dispose([probe, predicted]);
    } finally {
      model.dispose();
    }
  });
}

test('intermediate shapes of the PyTorch example match what PyTorch computes (NCHW → NHWC)', async () => {
  const { spec } = readFixture('torch_mnist_example.py');
  const model = await buildModel(tf, spec, 1);
  try {
    assert.deepEqual(
      model.layers.map((l) => l.outputShape),
      [
        [null, 26, 26, 32],
        [null, 26, 26, 32],
        [null, 24, 24, 64],
        [null, 24, 24, 64],
        [null, 12, 12, 64],
        [null, 12, 12, 64],
        [null, 9216],
        [null, 128],
        [null, 128],
        [null, 128],
        [null, 10],
        [null, 10],
      ],
    );
  } finally {
    model.dispose();
  }
});
