import assert from 'node:assert/strict';
import { test } from 'node:test';
import { activationTexts, assertLayers, issueAt, readFixture, textAt } from './python-fixtures';

test('MachineCurve ELU CNN: channels_first block, elu_alpha, He init, training setup', () => {
  const { spec, text } = readFixture('keras_elu_machinecurve.py');
  assert.equal(spec.origin, 'keras-py');
  assertLayers(spec, text, [
    ['conv2d', 'Conv2D', null, 46, 'Conv2D(32'],
    ['elu', 'ELU', 'elu', 47, 'ELU(alpha=elu_alpha)'],
    ['max_pooling2d', 'MaxPooling2D', null, 48, 'MaxPooling2D('],
    ['dropout', 'Dropout', null, 49, 'Dropout(0.25)'],
    ['conv2d_1', 'Conv2D', null, 50, 'Conv2D(64'],
    ['elu_1', 'ELU', 'elu', 51, 'ELU('],
    ['max_pooling2d_1', 'MaxPooling2D', null, 52, 'MaxPooling2D('],
    ['dropout_1', 'Dropout', null, 53, 'Dropout('],
    ['flatten', 'Flatten', null, 54, 'Flatten()'],
    ['dense', 'Dense', null, 55, 'Dense(256'],
    ['elu_2', 'ELU', 'elu', 56, 'ELU('],
    ['dense_1', 'Dense', 'softmax', 57, 'Dense(no_classes'],
  ]);
  // The channels-last branch of the `if K.image_data_format() == 'channels_first'` block.
  const first = (spec.topology.config.layers as { config: Record<string, unknown> }[])[0]!.config;
  assert.deepEqual(first.batch_input_shape, [null, 28, 28, 1]);
  assert.deepEqual(first.kernel_initializer, { class_name: 'HeNormal', config: { seed: null } });
  assert.deepEqual(spec.training, {
    optimizer: 'adam',
    loss: 'categorical_crossentropy',
    batchSize: 250,
    epochs: 25,
    validationSplit: 0.2,
    dataset: 'mnist',
  });
  assert.equal(spec.layers[0]!.kernelInitializer, 'he_normal');
  const init = spec.layers[0]!.source!.initializerRange!;
  assert.deepEqual(init.start, { line: 46, column: 86 });
  assert.equal(textAt(text, init.start, init.end), "'he_normal'");
  assert.equal(activationTexts(spec, text).elu, 'ELU(alpha=elu_alpha)');
  // elu_alpha = 0.1 is folded into every ELU layer's config (src/model/build/elu-layer.ts builds any alpha).
  const alphas = spec.layers
    .filter((l) => l.className === 'ELU')
    .map((l) => {
      const layer = (
        spec.topology.config as { layers: { config: { name: string; alpha?: number } }[] }
      ).layers.find((j) => j.config.name === l.name);
      return layer?.config.alpha;
    });
  assert.deepEqual(alphas, [0.1, 0.1, 0.1]);
  assert.deepEqual(spec.issues, []);
});

test('MachineCurve ReLU CNN: fused activations are the string literals, quotes included', () => {
  const { spec, text } = readFixture('keras_relu_machinecurve.py');
  assertLayers(spec, text, [
    ['conv2d', 'Conv2D', 'relu', 25, 'Conv2D(32'],
    ['max_pooling2d', 'MaxPooling2D', null, 26, 'MaxPooling2D('],
    ['dropout', 'Dropout', null, 27, 'Dropout('],
    ['conv2d_1', 'Conv2D', 'relu', 28, 'Conv2D(64'],
    ['max_pooling2d_1', 'MaxPooling2D', null, 29, 'MaxPooling2D('],
    ['dropout_1', 'Dropout', null, 30, 'Dropout('],
    ['flatten', 'Flatten', null, 31, 'Flatten('],
    ['dense', 'Dense', 'relu', 32, 'Dense(256'],
    ['dense_1', 'Dense', 'softmax', 33, 'Dense(no_classes'],
  ]);
  const ranges = activationTexts(spec, text);
  assert.equal(ranges.conv2d, "'relu'");
  assert.equal(ranges.dense_1, "'softmax'");
  assert.equal(ranges.flatten, null);
  assert.deepEqual(spec.layers[0]!.source!.activationRange, {
    start: { line: 25, column: 53 },
    end: { line: 25, column: 59 },
  });
  assert.equal(spec.layers[0]!.source!.initializerRange, null);
  assert.deepEqual(spec.issues, []);
});

test('TF quickstart: tf.keras.models.Sequential([...]) with tf.keras.layers.*', () => {
  const { spec, text } = readFixture('keras_tf_quickstart.py');
  assertLayers(spec, text, [
    ['flatten', 'Flatten', null, 9, 'tf.keras.layers.Flatten('],
    ['dense', 'Dense', 'relu', 10, 'tf.keras.layers.Dense(128'],
    ['dropout', 'Dropout', null, 11, 'tf.keras.layers.Dropout(0.2)'],
    ['dense_1', 'Dense', null, 12, 'tf.keras.layers.Dense(10)'],
  ]);
  assert.deepEqual(
    (spec.topology.config.layers as { config: Record<string, unknown> }[])[0]!.config.batch_input_shape,
    [null, 28, 28],
  );
  // SparseCategoricalCrossentropy(from_logits=True): the last Dense(10) gives logits.
  assert.deepEqual(spec.training, {
    optimizer: 'adam',
    loss: 'sparse_categorical_crossentropy',
    lossFromLogits: true,
    epochs: 5,
    dataset: 'mnist',
  });
});

test('keras.io convnet: keras.Input inside Sequential([...]), layers.* from `from keras import layers`', () => {
  const { spec, text } = readFixture('keras_io_simple_convnet.py');
  assertLayers(spec, text, [
    ['conv2d', 'Conv2D', 'relu', 20, 'layers.Conv2D(32'],
    ['max_pooling2d', 'MaxPooling2D', null, 21, 'layers.MaxPooling2D('],
    ['conv2d_1', 'Conv2D', 'relu', 22, 'layers.Conv2D(64'],
    ['max_pooling2d_1', 'MaxPooling2D', null, 23, 'layers.MaxPooling2D('],
    ['flatten', 'Flatten', null, 24, 'layers.Flatten()'],
    ['dropout', 'Dropout', null, 25, 'layers.Dropout(0.5)'],
    ['dense', 'Dense', 'softmax', 26, 'layers.Dense(num_classes'],
  ]);
  assert.equal(activationTexts(spec, text).conv2d, '"relu"');
  assert.deepEqual(spec.training, {
    optimizer: 'adam',
    loss: 'categorical_crossentropy',
    batchSize: 128,
    epochs: 15,
    validationSplit: 0.1,
    dataset: 'mnist',
  });
});

test('functional MLP: Input, x = Dense(...)(x), keras.Model(inputs=, outputs=, name=)', () => {
  const { spec, text } = readFixture('keras_functional_mlp.py');
  assert.equal(spec.topology.class_name, 'Model');
  assert.equal(spec.name, 'mnist_model');
  assertLayers(spec, text, [
    ['input_1', 'InputLayer', null, 5, 'keras.Input(shape=(784,))'],
    ['dense', 'Dense', 'relu', 6, 'layers.Dense(64'],
    ['dense_1', 'Dense', 'relu', 7, 'layers.Dense(64'],
    ['dense_2', 'Dense', null, 8, 'layers.Dense(10)'],
  ]);
  const config = spec.topology.config as {
    input_layers: unknown;
    output_layers: unknown;
    layers: { inbound_nodes: unknown }[];
  };
  assert.deepEqual(config.input_layers, [['input_1', 0, 0]]);
  assert.deepEqual(config.output_layers, [['dense_2', 0, 0]]);
  assert.deepEqual(config.layers[1]!.inbound_nodes, [[['input_1', 0, 0, {}]]]);
  assert.deepEqual(spec.training, {
    optimizer: 'rmsprop',
    loss: 'sparse_categorical_crossentropy',
    lossFromLogits: true,
    batchSize: 64,
    epochs: 2,
    validationSplit: 0.2,
    dataset: 'mnist',
  });
});

test('functional toy ResNet: named Input, layers.add merge, ReLU layer, positional Model(inputs, outputs)', () => {
  const { spec, text } = readFixture('keras_functional_residual.py');
  assertLayers(spec, text, [
    ['img', 'InputLayer', null, 4, 'keras.Input('],
    ['conv2d', 'Conv2D', 'relu', 5, 'layers.Conv2D(32, 3'],
    ['conv2d_1', 'Conv2D', 'relu', 6, 'layers.Conv2D(64, 3'],
    ['max_pooling2d', 'MaxPooling2D', null, 7, 'layers.MaxPooling2D(3)'],
    ['conv2d_2', 'Conv2D', null, 9, 'layers.Conv2D(64, 3, padding="same")'],
    ['batch_normalization', 'BatchNormalization', null, 10, 'layers.BatchNormalization()'],
    ['re_lu', 'ReLU', 'relu', 11, 'layers.ReLU()'],
    ['conv2d_3', 'Conv2D', 'relu', 12, 'layers.Conv2D(64, 3, activation'],
    ['add', 'Add', null, 13, 'layers.add([x, block_1_output])'],
    ['conv2d_4', 'Conv2D', 'relu', 15, 'layers.Conv2D(64, 3'],
    ['global_average_pooling2d', 'GlobalAveragePooling2D', null, 16, 'layers.GlobalAveragePooling2D()'],
    ['dense', 'Dense', 'relu', 17, 'layers.Dense(256'],
    ['dropout', 'Dropout', null, 18, 'layers.Dropout(0.5)'],
    ['dense_1', 'Dense', null, 19, 'layers.Dense(10)'],
  ]);
  const add = (spec.topology.config.layers as { name: string; inbound_nodes: unknown }[]).find(
    (l) => l.name === 'add',
  )!;
  assert.deepEqual(add.inbound_nodes, [
    [
      ['conv2d_3', 0, 0, {}],
      ['max_pooling2d', 0, 0, {}],
    ],
  ]);
  assert.equal(activationTexts(spec, text).re_lu, 'layers.ReLU()');
  assert.equal(spec.training.dataset, 'cifar10');
  assert.equal(spec.training.learningRate, 1e-3);
});

test('TF CNN tutorial: `from tensorflow.keras import datasets, layers, models`, positional tuples', () => {
  const { spec, text } = readFixture('keras_tf_cnn_cifar.py');
  assertLayers(spec, text, [
    ['conv2d', 'Conv2D', 'relu', 12, 'layers.Conv2D(32, (3, 3)'],
    ['max_pooling2d', 'MaxPooling2D', null, 13, 'layers.MaxPooling2D((2, 2))'],
    ['conv2d_1', 'Conv2D', 'relu', 14, 'layers.Conv2D(64'],
    ['max_pooling2d_1', 'MaxPooling2D', null, 15, 'layers.MaxPooling2D('],
    ['conv2d_2', 'Conv2D', 'relu', 16, 'layers.Conv2D(64'],
    ['flatten', 'Flatten', null, 17, 'layers.Flatten()'],
    ['dense', 'Dense', 'relu', 18, 'layers.Dense(64'],
    ['dense_1', 'Dense', null, 19, 'layers.Dense(10)'],
  ]);
  const conv = (spec.topology.config.layers as { config: Record<string, unknown> }[])[0]!.config;
  assert.deepEqual([conv.filters, conv.kernel_size, conv.batch_input_shape], [32, [3, 3], [null, 32, 32, 3]]);
});

test('old Keras 2 submodule imports, separate Activation/LeakyReLU layers, SGD(lr=), nb_epoch', () => {
  const { spec, text } = readFixture('keras_old_submodules.py');
  assertLayers(spec, text, [
    ['conv2d', 'Conv2D', null, 18, 'Conv2D(nb_filters, kernel_size'],
    ['activation', 'Activation', 'relu', 19, "Activation('relu')"],
    ['conv2d_1', 'Conv2D', null, 20, 'Conv2D(nb_filters * 2'],
    ['leaky_re_lu', 'LeakyReLU', 'leaky_relu', 21, 'LeakyReLU(alpha=0.1)'],
    ['max_pooling2d', 'MaxPooling2D', null, 22, 'MaxPooling2D('],
    ['dropout', 'Dropout', null, 23, 'Dropout(0.25)'],
    ['flatten', 'Flatten', null, 24, 'Flatten()'],
    ['dense', 'Dense', null, 25, 'Dense(128)'],
    ['activation_1', 'Activation', 'relu', 26, "Activation('relu')"],
    ['dropout_1', 'Dropout', null, 27, 'Dropout(0.5)'],
    ['dense_1', 'Dense', null, 28, 'Dense(nb_classes)'],
    ['activation_2', 'Activation', 'softmax', 29, "Activation('softmax')"],
  ]);
  const layers = spec.topology.config.layers as { config: Record<string, unknown> }[];
  assert.equal(layers[2]!.config.filters, 64);
  assert.equal(layers[3]!.config.alpha, 0.1);
  assert.equal(activationTexts(spec, text).activation, "Activation('relu')");
  assert.deepEqual(spec.training, {
    optimizer: 'sgd',
    learningRate: 0.01,
    loss: 'categorical_crossentropy',
    batchSize: 128,
    epochs: 12,
    validationSplit: 0.1,
    dataset: 'fashion_mnist',
  });
});

test('Keras 3 activation layers: LeakyReLU(negative_slope=), PReLU, ReLU, name=, HeNormal() object', () => {
  const { spec, text } = readFixture('keras3_activation_layers.py');
  assert.equal(spec.name, 'activations_zoo');
  assertLayers(spec, text, [
    ['conv2d', 'Conv2D', null, 16, 'Conv2D(16, 3'],
    ['batch_normalization', 'BatchNormalization', null, 17, 'BatchNormalization()'],
    ['leaky_re_lu', 'LeakyReLU', 'leaky_relu', 18, 'LeakyReLU(negative_slope=0.2)'],
    ['conv2d_1', 'Conv2D', null, 19, 'Conv2D(32, 3, strides=2)'],
    ['p_re_lu', 'PReLU', 'prelu', 20, 'PReLU()'],
    ['average_pooling2d', 'AveragePooling2D', null, 21, 'AveragePooling2D()'],
    ['conv2d_2', 'Conv2D', null, 22, 'Conv2D(64, (3, 3)'],
    ['re_lu', 'ReLU', 'relu', 23, 'ReLU()'],
    ['global_average_pooling2d', 'GlobalAveragePooling2D', null, 24, 'GlobalAveragePooling2D()'],
    ['predictions', 'Dense', 'softmax', 25, 'Dense(10'],
  ]);
  const layers = spec.topology.config.layers as { config: Record<string, unknown> }[];
  assert.equal(layers[2]!.config.alpha, 0.2);
  assert.equal(layers[0]!.config.use_bias, false);
  assert.equal(layers[0]!.config.padding, 'same');
  assert.equal(spec.layers[6]!.kernelInitializer, 'he_normal');
  const init = spec.layers[6]!.source!.initializerRange!;
  assert.deepEqual([init.start.line, init.start.column, init.end.column], [22, 49, 78]);
  assert.equal(textAt(text, init.start, init.end), 'keras.initializers.HeNormal()');
  assert.deepEqual(spec.training, {
    optimizer: 'adam',
    learningRate: 3e-4,
    loss: 'sparse_categorical_crossentropy',
  });
});

test('Conv1D sequence model: Reshape first, positional Conv1D(100, 10), folded input_shape arithmetic', () => {
  const { spec, text } = readFixture('keras_conv1d_sequence.py');
  assertLayers(spec, text, [
    ['reshape', 'Reshape', null, 10, 'Reshape((TIME_PERIODS, num_sensors)'],
    ['conv1d', 'Conv1D', 'relu', 11, 'Conv1D(100, 10'],
    ['conv1d_1', 'Conv1D', 'relu', 12, 'Conv1D(100, 10'],
    ['max_pooling1d', 'MaxPooling1D', null, 13, 'MaxPooling1D(3)'],
    ['conv1d_2', 'Conv1D', 'relu', 14, 'Conv1D(160, 10'],
    ['global_average_pooling1d', 'GlobalAveragePooling1D', null, 15, 'GlobalAveragePooling1D()'],
    ['dropout', 'Dropout', null, 16, 'Dropout(0.5)'],
    ['dense', 'Dense', 'softmax', 17, 'Dense(num_classes'],
  ]);
  const reshape = (spec.topology.config.layers as { config: Record<string, unknown> }[])[0]!.config;
  assert.deepEqual(
    [reshape.target_shape, reshape.batch_input_shape],
    [
      [80, 3],
      [null, 240],
    ],
  );
});

test('model built in a function called from main(): parameters, defaults and module constants fold', () => {
  const { spec, text } = readFixture('keras_build_function.py');
  assertLayers(spec, text, [
    ['conv2d', 'Conv2D', 'relu', 12, 'Conv2D(width'],
    ['max_pooling2d', 'MaxPooling2D', null, 13, 'MaxPooling2D()'],
    ['conv2d_1', 'Conv2D', 'relu', 14, 'Conv2D(width * 2'],
    ['max_pooling2d_1', 'MaxPooling2D', null, 15, 'MaxPooling2D()'],
    ['flatten', 'Flatten', null, 16, 'Flatten()'],
    ['dense', 'Dense', 'softmax', 17, 'Dense(num_classes'],
  ]);
  const layers = spec.topology.config.layers as { config: Record<string, unknown> }[];
  assert.deepEqual(
    [layers[0]!.config.filters, layers[2]!.config.filters, layers[5]!.config.units],
    [32, 64, 10],
  );
  assert.deepEqual(layers[0]!.config.batch_input_shape, [null, 28, 28, 1]);
  assert.deepEqual(spec.training, {
    optimizer: 'adam',
    learningRate: 1e-3,
    loss: 'sparse_categorical_crossentropy',
    batchSize: 128,
    epochs: 5,
    validationSplit: 0.1,
    dataset: 'mnist',
  });
});

test('a loop over a known list is unrolled (and said so); activation=tf.nn.relu is read', () => {
  const { spec, text } = readFixture('keras_loop_unrolled.py');
  assertLayers(spec, text, [
    ['flatten', 'Flatten', null, 7, 'layers.Flatten('],
    ['dense', 'Dense', 'relu', 9, 'layers.Dense(units'],
    ['dense_1', 'Dense', 'relu', 9, 'layers.Dense(units'],
    ['dense_2', 'Dense', 'relu', 9, 'layers.Dense(units'],
    ['dense_3', 'Dense', 'softmax', 10, 'layers.Dense(10'],
  ]);
  const units = (spec.topology.config.layers as { config: Record<string, unknown> }[]).map(
    (l) => l.config.units,
  );
  assert.deepEqual(units, [undefined, 256, 128, 64, 10]);
  assert.equal(activationTexts(spec, text).dense, 'tf.nn.relu');
  issueAt(spec, 8, 'unrolled 3 time(s)');
});

test('star imports from keras.models and keras.layers; initializers.he_uniform(); input_dim', () => {
  const { spec, text } = readFixture('keras_star_import.py');
  assertLayers(spec, text, [
    ['dense', 'Dense', null, 6, 'Dense(512, input_dim=784'],
    ['activation', 'Activation', 'relu', 7, 'Activation("relu")'],
    ['dropout', 'Dropout', null, 8, 'Dropout(0.2)'],
    ['dense_1', 'Dense', 'elu', 9, 'Dense(512, activation="elu"'],
    ['dense_2', 'Dense', 'softmax', 10, 'Dense(10'],
  ]);
  assert.deepEqual(
    spec.layers.map((l) => l.kernelInitializer),
    ['he_uniform', null, null, 'he_normal', 'glorot_uniform'],
  );
  assert.equal(activationTexts(spec, text).dense_1, '"elu"');
  assert.deepEqual(
    (spec.topology.config.layers as { config: Record<string, unknown> }[])[0]!.config.batch_input_shape,
    [null, 784],
  );
});
