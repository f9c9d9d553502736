import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePythonModel } from '../../../src/model/readers/python/index';
import { activationTexts, assertLayers, issueAt, readFixture } from './python-fixtures';

test("PyTorch's MNIST example: Net with F.relu, max_pool2d, dropout, flatten, log_softmax; argparse defaults", () => {
  const { spec, text } = readFixture('torch_mnist_example.py');
  assert.equal(spec.origin, 'torch-py');
  assert.equal(spec.name, 'Net');
  assertLayers(spec, text, [
    ['conv1', 'Conv2D', null, 14, 'nn.Conv2d(1, 32, 3, 1)'],
    ['conv1_relu', 'Activation', 'relu', 23, 'F.relu(x)'],
    ['conv2', 'Conv2D', null, 15, 'nn.Conv2d(32, 64, 3, 1)'],
    ['conv2_relu', 'Activation', 'relu', 25, 'F.relu(x)'],
    ['max_pool2d', 'MaxPooling2D', null, 26, 'F.max_pool2d(x, 2)'],
    ['dropout1', 'Dropout', null, 16, 'nn.Dropout(0.25)'],
    ['flatten', 'Flatten', null, 28, 'torch.flatten(x, 1)'],
    ['fc1', 'Dense', null, 18, 'nn.Linear(9216, 128)'],
    ['fc1_relu', 'Activation', 'relu', 30, 'F.relu(x)'],
    ['dropout2', 'Dropout', null, 17, 'nn.Dropout(0.5)'],
    ['fc2', 'Dense', null, 19, 'nn.Linear(128, 10)'],
    ['fc2_log_softmax', 'Activation', 'softmax', 33, 'F.log_softmax(x, dim=1)'],
  ]);
  // The quick fix rewrites the callee of a functional activation.
  assert.equal(activationTexts(spec, text).conv1_relu, 'F.relu');
  assert.deepEqual(spec.layers[1]!.source!.activationRange, {
    start: { line: 23, column: 13 },
    end: { line: 23, column: 19 },
  });
  assert.deepEqual(spec.training, {
    dataset: 'mnist',
    batchSize: 64,
    optimizer: 'adadelta',
    learningRate: 1,
    epochs: 14,
    loss: 'sparse_categorical_crossentropy',
  });
  const layers = spec.topology.config.layers as { class_name: string; config: Record<string, unknown> }[];
  assert.deepEqual(layers[0]!.config.batch_input_shape, [null, 28, 28, 1]);
  assert.deepEqual(
    [layers[0]!.config.filters, layers[0]!.config.kernel_size, layers[0]!.config.strides],
    [32, [3, 3], [1, 1]],
  );
  // PyTorch's default init U(±1/√fan_in), so the TF.js model starts where the script would.
  assert.deepEqual(layers[7]!.config.kernel_initializer, {
    class_name: 'VarianceScaling',
    config: { scale: 1 / 3, mode: 'fan_in', distribution: 'uniform', seed: null },
  });
  // 9216 = 12·12·64 matches: no shape warnings.
  assert.ok(
    !spec.issues.some((i) => i.severity === 'warning' || i.severity === 'error'),
    JSON.stringify(spec.issues),
  );
  issueAt(spec, 33, 'log_softmax is built as softmax');
});

test('PyTorch quickstart: self.flatten + nn.Sequential attribute, FashionMNIST, DataLoader batch_size', () => {
  const { spec, text } = readFixture('torch_quickstart_fashion.py');
  assertLayers(spec, text, [
    ['flatten', 'Flatten', null, 18, 'nn.Flatten()'],
    ['linear_relu_stack_0', 'Dense', null, 20, 'nn.Linear(28*28, 512)'],
    ['linear_relu_stack_1', 'Activation', 'relu', 21, 'nn.ReLU()'],
    ['linear_relu_stack_2', 'Dense', null, 22, 'nn.Linear(512, 512)'],
    ['linear_relu_stack_3', 'Activation', 'relu', 23, 'nn.ReLU()'],
    ['linear_relu_stack_4', 'Dense', null, 24, 'nn.Linear(512, 10)'],
  ]);
  assert.equal(activationTexts(spec, text).linear_relu_stack_1, 'nn.ReLU()');
  assert.deepEqual(spec.training, {
    dataset: 'fashion_mnist',
    batchSize: 64,
    loss: 'sparse_categorical_crossentropy',
    lossFromLogits: true,
    optimizer: 'sgd',
    learningRate: 1e-3,
  });
});

test('module-level nn.Sequential CNN: padding=1 is "same", BatchNorm momentum converted, nn.ReLU(inplace=True)', () => {
  const { spec, text } = readFixture('torch_sequential_cnn.py');
  assertLayers(spec, text, [
    ['conv2d', 'Conv2D', null, 9, 'nn.Conv2d(1, 32'],
    ['batch_normalization', 'BatchNormalization', null, 10, 'nn.BatchNorm2d(32)'],
    ['elu', 'ELU', 'elu', 11, 'nn.ELU()'],
    ['max_pooling2d', 'MaxPooling2D', null, 12, 'nn.MaxPool2d(2)'],
    ['conv2d_1', 'Conv2D', null, 13, 'nn.Conv2d(32, 64'],
    ['batch_normalization_1', 'BatchNormalization', null, 14, 'nn.BatchNorm2d(64)'],
    ['elu_1', 'ELU', 'elu', 15, 'nn.ELU(alpha=1.0)'],
    ['max_pooling2d_1', 'MaxPooling2D', null, 16, 'nn.MaxPool2d(2)'],
    ['flatten', 'Flatten', null, 17, 'nn.Flatten()'],
    ['dense', 'Dense', null, 18, 'nn.Linear(64 * 7 * 7, 128)'],
    ['activation', 'Activation', 'relu', 19, 'nn.ReLU(inplace=True)'],
    ['dropout', 'Dropout', null, 20, 'nn.Dropout(0.5)'],
    ['dense_1', 'Dense', null, 21, 'nn.Linear(128, 10)'],
  ]);
  const texts = activationTexts(spec, text);
  assert.equal(texts.activation, 'nn.ReLU(inplace=True)');
  assert.equal(texts.elu_1, 'nn.ELU(alpha=1.0)');
  const layers = spec.topology.config.layers as { config: Record<string, unknown> }[];
  assert.equal(layers[0]!.config.padding, 'same');
  assert.equal(layers[1]!.config.momentum, 0.9);
  assert.equal(layers[1]!.config.epsilon, 1e-5);
  assert.deepEqual(spec.training, {
    dataset: 'mnist',
    batchSize: 128,
    optimizer: 'adam',
    learningRate: 1e-3,
    loss: 'sparse_categorical_crossentropy',
    lossFromLogits: true,
    epochs: 3,
  });
});

test('LeNet: nested calls on one line tap in evaluation order; x.view(-1, 16 * 4 * 4) flattens', () => {
  const { spec, text } = readFixture('torch_lenet_nested.py');
  assertLayers(spec, text, [
    ['conv1', 'Conv2D', null, 10, 'nn.Conv2d(1, 6, 5)'],
    ['conv1_relu', 'Activation', 'relu', 17, 'func.relu(self.conv1(x))'],
    ['max_pool2d', 'MaxPooling2D', null, 17, 'func.max_pool2d('],
    ['conv2', 'Conv2D', null, 11, 'nn.Conv2d(6, 16, 5)'],
    ['conv2_relu', 'Activation', 'relu', 18, 'func.relu(self.conv2(x))'],
    ['max_pool2d_1', 'MaxPooling2D', null, 18, 'func.max_pool2d('],
    ['flatten', 'Flatten', null, 19, 'x.view(-1, 16 * 4 * 4)'],
    ['fc1', 'Dense', null, 12, 'nn.Linear(16 * 4 * 4, 120)'],
    ['fc1_relu', 'Activation', 'relu', 20, 'func.relu(self.fc1(x))'],
    ['fc2', 'Dense', null, 13, 'nn.Linear(120, 84)'],
    ['fc2_relu', 'Activation', 'relu', 21, 'func.relu(self.fc2(x))'],
    ['fc3', 'Dense', null, 14, 'nn.Linear(84, num_classes)'],
  ]);
  assert.equal(activationTexts(spec, text).conv1_relu, 'func.relu');
  assert.equal((spec.topology.config.layers as { config: Record<string, unknown> }[])[11]!.config.units, 10);
  issueAt(spec, 10, 'assuming 28×28×1');
  assert.deepEqual(spec.training, { optimizer: 'sgd', learningRate: 0.01 });
});

test('declared nn.Linear(9216, 128) vs 1600 inferred features: one issue naming both lines', () => {
  const { spec } = readFixture('torch_shape_mismatch.py');
  const issue = spec.issues.find((i) => i.message.includes('9216'));
  assert.ok(issue, JSON.stringify(spec.issues));
  assert.equal(issue.line, 12);
  assert.equal(issue.severity, 'warning');
  assert.match(issue.message, /in_features=9216 .* 1600 features/);
  assert.match(issue.message, /declared at line 12/);
  assert.match(issue.message, /comes from line 18/);
});

test('constructor arguments, Sequential children named by attribute, stride-2 padding, x.size(0) view, CIFAR-10', () => {
  const { spec, text } = readFixture('torch_leaky_args.py');
  assertLayers(spec, text, [
    ['features_0', 'Conv2D', null, 15, 'nn.Conv2d(3, 32, 3, padding=1)'],
    ['features_1', 'LeakyReLU', 'leaky_relu', 16, 'nn.LeakyReLU(negative_slope)'],
    ['features_2_pad', 'ZeroPadding2D', null, 17, 'nn.Conv2d(32, 32, 3, stride=2, padding=1)'],
    ['features_2', 'Conv2D', null, 17, 'nn.Conv2d(32, 32, 3, stride=2, padding=1)'],
    ['features_3', 'LeakyReLU', 'leaky_relu', 18, 'nn.LeakyReLU(negative_slope)'],
    ['features_4', 'Dropout', null, 19, 'nn.Dropout2d(p_drop)'],
    ['flatten', 'Flatten', null, 27, 'x.view(x.size(0), -1)'],
    ['fc1', 'Dense', null, 22, 'nn.Linear(32 * 16 * 16, 256)'],
    ['act', 'LeakyReLU', 'leaky_relu', 21, 'nn.LeakyReLU(negative_slope=negative_slope)'],
    ['fc2', 'Dense', null, 23, 'nn.Linear(256, num_classes)'],
    ['fc2_leaky_relu', 'LeakyReLU', 'leaky_relu', 29, 'F.leaky_relu('],
  ]);
  const layers = spec.topology.config.layers as { config: Record<string, unknown> }[];
  // SmallCNN(negative_slope=SLOPE) reaches the modules built from the parameter.
  assert.equal(layers[1]!.config.alpha, 0.1);
  assert.equal(layers[8]!.config.alpha, 0.1);
  assert.equal(layers[10]!.config.alpha, 0.2);
  assert.deepEqual(layers[0]!.config.batch_input_shape, [null, 32, 32, 3]);
  assert.deepEqual(layers[2]!.config.padding, [
    [1, 1],
    [1, 1],
  ]);
  assert.equal(activationTexts(spec, text).fc2_leaky_relu, 'F.leaky_relu');
  assert.deepEqual(spec.training, {
    dataset: 'cifar10',
    batchSize: 32,
    loss: 'sparse_categorical_crossentropy',
    lossFromLogits: true,
    optimizer: 'sgd',
    learningRate: 0.001,
  });
});

test('mixed imports: a PyTorch model fed by keras.datasets.mnist is read as PyTorch with the dataset', () => {
  const { spec, text } = readFixture('mixed_imports_torch.py');
  assert.equal(spec.origin, 'torch-py');
  assertLayers(spec, text, [
    ['conv2d', 'Conv2D', null, 11, 'nn.Conv2d(1, 8, 3)'],
    ['activation', 'Activation', 'relu', 12, 'nn.ReLU()'],
    ['flatten', 'Flatten', null, 13, 'nn.Flatten()'],
    ['dense', 'Dense', null, 14, 'nn.Linear(8 * 26 * 26, 10)'],
  ]);
  assert.deepEqual(spec.training, { dataset: 'mnist', optimizer: 'adam', learningRate: 0.01 });
  assert.deepEqual(spec.issues, []);
});

test('PyTorch CIFAR-10 tutorial: one pool module applied twice, torchvision.datasets.CIFAR10 gives 32×32×3', () => {
  const { spec, text } = readFixture('torch_cifar_tutorial.py');
  assertLayers(spec, text, [
    ['conv1', 'Conv2D', null, 23, 'nn.Conv2d(3, 6, 5)'],
    ['conv1_relu', 'Activation', 'relu', 31, 'F.relu(self.conv1(x))'],
    ['pool', 'MaxPooling2D', null, 24, 'nn.MaxPool2d(2, 2)'],
    ['conv2', 'Conv2D', null, 25, 'nn.Conv2d(6, 16, 5)'],
    ['conv2_relu', 'Activation', 'relu', 32, 'F.relu(self.conv2(x))'],
    ['pool_1', 'MaxPooling2D', null, 24, 'nn.MaxPool2d(2, 2)'],
    ['flatten', 'Flatten', null, 33, 'torch.flatten(x, 1)'],
    ['fc1', 'Dense', null, 26, 'nn.Linear(16 * 5 * 5, 120)'],
    ['fc1_relu', 'Activation', 'relu', 34, 'F.relu(self.fc1(x))'],
    ['fc2', 'Dense', null, 27, 'nn.Linear(120, 84)'],
    ['fc2_relu', 'Activation', 'relu', 35, 'F.relu(self.fc2(x))'],
    ['fc3', 'Dense', null, 28, 'nn.Linear(84, 10)'],
  ]);
  assert.deepEqual(
    (spec.topology.config.layers as { config: Record<string, unknown> }[])[0]!.config.batch_input_shape,
    [null, 32, 32, 3],
  );
  assert.deepEqual(spec.training, {
    dataset: 'cifar10',
    batchSize: 4,
    loss: 'sparse_categorical_crossentropy',
    lossFromLogits: true,
    optimizer: 'sgd',
    learningRate: 0.001,
    epochs: 2,
  });
  assert.deepEqual(spec.issues, []);
});

test('nn.Sequential(OrderedDict([...])): children take their given names', () => {
  const text = [
    'from collections import OrderedDict',
    'import torch.nn as nn',
    'model = nn.Sequential(OrderedDict([',
    "    ('fc1', nn.Linear(784, 64)),",
    "    ('act1', nn.ReLU()),",
    "    ('out', nn.Linear(64, 10)),",
    ']))',
  ].join('\n');
  const spec = parsePythonModel(text, 'od.py');
  assert.deepEqual(
    spec.layers.map((l) => [l.name, l.className, l.source?.line, l.source?.column]),
    [
      ['fc1', 'Dense', 4, 13],
      ['act1', 'Activation', 5, 14],
      ['out', 'Dense', 6, 13],
    ],
  );
});
