/**
 * ResNet-18 and VGG in the common CIFAR model-zoo style: layers built by helpers, loops and
 * configuration lists, residual adds, sub-modules defined after their user. The built TF.js
 * models must have PyTorch's parameter counts and the same ReLU applications, each on its line.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { buildModel } from '../../../src/model/build/build';
import { parsePythonModel } from '../../../src/model/readers/python/index';
import type { ModelSpec } from '../../../src/model/spec';
import { missingPythonModules, testPython } from '../../support/python-env';
import { fixtureDir, fixtureText, readFixture } from './python-fixtures';

before(async () => {
  await tf.setBackend('cpu');
});

async function built(spec: ModelSpec): Promise<{ trainable: number; output: (number | null)[] }> {
  const model = await buildModel(tf, spec, 1);
  try {
    // spec.layers is in call order; TF.js lists a graph's layers by depth.
    assert.deepEqual(model.layers.map((l) => l.name).sort(), spec.layers.map((l) => l.name).sort());
    const trainable = model.trainableWeights.reduce(
      (n, w) => n + (w.shape as number[]).reduce((a, b) => a * b, 1),
      0,
    );
    return { trainable, output: model.outputs[0]!.shape };
  } finally {
    model.dispose();
  }
}

function byName(spec: ModelSpec, name: string): ModelSpec['layers'][number] {
  const layer = spec.layers.find((l) => l.name === name);
  assert.ok(layer, `${name} in ${spec.layers.map((l) => l.name).join(', ')}`);
  return layer;
}

test('ResNet-18 (CIFAR): BasicBlock after ResNet, _make_layer loop, shortcut conv when stride ≠ 1, out += shortcut', async () => {
  const { spec } = readFixture('torch_resnet18_cifar.py');
  assert.equal(spec.name, 'ResNet');
  assert.equal(spec.topology.class_name, 'Model');
  assert.equal(spec.omitted, undefined);
  assert.ok(!spec.issues.some((i) => i.severity !== 'info'), JSON.stringify(spec.issues));
  // One block, in call order, each layer on the line that defines it.
  const block = spec.layers
    .filter((l) => l.name.startsWith('layer2_0_'))
    .map((l) => [l.name, l.className, l.activation, l.source?.line]);
  assert.deepEqual(block, [
    ['layer2_0_conv1_pad', 'ZeroPadding2D', null, 46],
    ['layer2_0_conv1', 'Conv2D', null, 46],
    ['layer2_0_bn1', 'BatchNormalization', null, 47],
    ['layer2_0_bn1_relu', 'Activation', 'relu', 59],
    ['layer2_0_conv2', 'Conv2D', null, 48],
    ['layer2_0_bn2', 'BatchNormalization', null, 49],
    ['layer2_0_shortcut_0', 'Conv2D', null, 54],
    ['layer2_0_shortcut_1', 'BatchNormalization', null, 55],
    ['layer2_0_add', 'Add', null, 61],
    ['layer2_0_add_relu', 'Activation', 'relu', 62],
  ]);
  // The residual add reads the block's last BatchNorm and its shortcut; the first block's
  // shortcut is the identity (an empty nn.Sequential), so it adds the block's input.
  const json = spec.topology.config.layers as { name: string; inbound_nodes: unknown[] }[];
  const inbound = (name: string): unknown => json.find((l) => l.name === name)!.inbound_nodes;
  assert.deepEqual(inbound('layer2_0_add'), [
    [
      ['layer2_0_bn2', 0, 0, {}],
      ['layer2_0_shortcut_1', 0, 0, {}],
    ],
  ]);
  assert.deepEqual(inbound('layer1_0_add'), [
    [
      ['layer1_0_bn2', 0, 0, {}],
      ['bn1_relu', 0, 0, {}],
    ],
  ]);
  assert.equal(spec.layers.filter((l) => l.name.endsWith('_shortcut_0')).length, 3);
  // One source line owns several runtime layers: the lens can say "×8".
  assert.deepEqual(byName(spec, 'layer3_1_bn1_relu').sourceInstances, { index: 6, count: 8 });
  assert.deepEqual(byName(spec, 'layer4_1_add_relu').sourceInstances, { index: 8, count: 8 });
  assert.deepEqual(byName(spec, 'layer1_0_conv1').sourceInstances, { index: 1, count: 8 });
  assert.equal(byName(spec, 'bn1_relu').sourceInstances, undefined);
  assert.equal(spec.layers.filter((l) => l.activation === 'relu').length, 17);
  assert.deepEqual(spec.training, {
    loss: 'sparse_categorical_crossentropy',
    lossFromLogits: true,
    optimizer: 'sgd',
    learningRate: 0.1,
    dataset: 'cifar10',
    batchSize: 128,
    epochs: 200,
  });
  const { trainable, output } = await built(spec);
  // PyTorch counts 11,173,962 parameters (the BatchNorm running statistics are buffers).
  assert.equal(trainable, 11_173_962);
  assert.deepEqual(output, [null, 10]);
});

test('VGG-16 (CIFAR) from its cfg list with nn.Sequential(*layers); --model picks VGG-11 among the two instances', async () => {
  const { spec } = readFixture('torch_vgg_cifar.py');
  assert.equal(spec.name, 'net');
  assert.deepEqual(spec.alternatives, [{ name: 'vgg11', line: 41, column: 9 }]);
  assert.equal(spec.topology.class_name, 'Sequential');
  const convs = spec.layers.filter((l) => l.className === 'Conv2D');
  assert.equal(convs.length, 13);
  assert.ok(convs.every((l) => l.source?.line === 32));
  assert.deepEqual(byName(spec, 'features_2').sourceInstances, { index: 1, count: 13 });
  assert.deepEqual(
    spec.layers.slice(0, 4).map((l) => [l.name, l.className, l.activation, l.source?.line]),
    [
      ['features_0', 'Conv2D', null, 32],
      ['features_1', 'BatchNormalization', null, 33],
      ['features_2', 'Activation', 'relu', 34],
      ['features_3', 'Conv2D', null, 32],
    ],
  );
  const { trainable, output } = await built(spec);
  assert.equal(trainable, 14_728_266);
  assert.deepEqual(output, [null, 10]);

  const vgg11 = parsePythonModel(
    fixtureText('torch_vgg_cifar.py'),
    resolve(fixtureDir, 'torch_vgg_cifar.py'),
    {
      model: 'vgg11',
    },
  );
  assert.equal(vgg11.name, 'vgg11');
  assert.deepEqual(vgg11.alternatives, [{ name: 'net', line: 42, column: 7 }]);
  assert.equal(vgg11.layers.filter((l) => l.className === 'Conv2D').length, 8);
  assert.equal((await built(vgg11)).trainable, 9_231_114);
});

const torchMissing = missingPythonModules(['torch']);

/**
 * Runs fixtures with real PyTorch: per model, [parameters, ReLU applications in one forward, output
 * shape]. nn.ReLU modules call F.relu, so counting F.relu calls counts both spellings.
 */
const torchScript = `
import json, runpy, sys, torch
import torch.nn.functional as F
counts = {'n': 0}
real_relu = F.relu
def counting_relu(*a, **k):
    counts['n'] += 1
    return real_relu(*a, **k)
F.relu = counting_relu
out = {}
for key in json.loads(sys.argv[1]):
    path, name = key.rsplit(':', 1)
    m = runpy.run_path(path, run_name='fixture')[name].eval()
    counts['n'] = 0
    with torch.no_grad():
        y = m(torch.zeros(1, 3, 32, 32))
    out[key] = [sum(p.numel() for p in m.parameters()), counts['n'], list(y.shape)]
print(json.dumps(out))
`;

test(
  'real PyTorch agrees: parameter counts and ReLU applications per forward of the zoo fixtures',
  { skip: torchMissing ?? false, timeout: 120_000 },
  () => {
    const resnet = resolve(fixtureDir, 'torch_resnet18_cifar.py');
    const vgg = resolve(fixtureDir, 'torch_vgg_cifar.py');
    const keys = [`${resnet}:net`, `${vgg}:net`, `${vgg}:vgg11`];
    const r = spawnSync(testPython(), ['-c', torchScript, JSON.stringify(keys)], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    assert.equal(r.status, 0, r.stderr);
    const torch = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<
      string,
      [number, number, number[]]
    >;
    const relus = (spec: ModelSpec): number => spec.layers.filter((l) => l.activation === 'relu').length;
    const specs = [
      readFixture('torch_resnet18_cifar.py').spec,
      readFixture('torch_vgg_cifar.py').spec,
      parsePythonModel(fixtureText('torch_vgg_cifar.py'), vgg, { model: 'vgg11' }),
    ];
    assert.deepEqual(
      keys.map((k) => torch[k]),
      [
        [11_173_962, relus(specs[0]!), [1, 10]],
        [14_728_266, relus(specs[1]!), [1, 10]],
        [9_231_114, relus(specs[2]!), [1, 10]],
      ],
    );
  },
);

const kerasMissing = missingPythonModules(['keras', 'numpy']);

/**
 * Runs Keras fixtures with real Keras 3 (datasets stubbed, fit skipped): count_params() per model.
 * `path:variable:shape` builds a model that has no input yet with that per-sample shape.
 */
const kerasScript = `
import json, os, runpy, sys
os.environ['TF_CPP_MIN_LOG_LEVEL'] = '3'
import numpy as np
import keras
def stub(**kwargs):
    x = np.zeros((4, 20), dtype='int32'); y = np.zeros((4,), dtype='int32')
    return (x, y), (x, y)
for dataset in (keras.datasets.imdb, keras.datasets.reuters, keras.datasets.mnist):
    dataset.load_data = stub
keras.Model.fit = lambda *a, **k: None
out = {}
for key in json.loads(sys.argv[1]):
    path, name, shape = key.split(':')
    m = runpy.run_path(path, run_name='fixture')[name]
    if not m.built:
        m.build(tuple([None] + [int(s) for s in shape.split(',')]))
    out[key] = m.count_params()
print(json.dumps(out))
`;

test(
  'real Keras agrees: count_params() of the Keras fixtures equals the built TF.js model',
  { skip: kerasMissing ?? false, timeout: 240_000 },
  async () => {
    const fixtures: [string, string, string][] = [
      ['keras_comment_in_list.py', 'model', ''],
      ['keras_augmented_residual.py', 'model', ''],
      ['keras_layer_aliases.py', 'model', ''],
      ['keras_loop_helper_add.py', 'model', ''],
      ['keras_gan_two_models.py', 'combined', ''],
      ['keras_imdb_bilstm.py', 'model', ''],
      ['keras_reuters_conv1d.py', 'model', '300'],
      ['keras_multi_output.py', 'model', ''],
    ];
    const keys = fixtures.map(([file, name, shape]) => `${resolve(fixtureDir, file)}:${name}:${shape}`);
    const r = spawnSync(testPython(), ['-c', kerasScript, JSON.stringify(keys)], {
      encoding: 'utf8',
      timeout: 240_000,
    });
    assert.equal(r.status, 0, r.stderr.slice(-2000));
    const keras = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, number>;
    for (const [i, [file]] of fixtures.entries()) {
      const model = await buildModel(tf, readFixture(file).spec, 1);
      try {
        assert.equal(model.countParams(), keras[keys[i]!], file);
      } finally {
        model.dispose();
      }
    }
  },
);

test(
  'real Keras agrees: every alias keras.layers exports for a class the reader knows is in the alias table',
  { skip: kerasMissing ?? false, timeout: 240_000 },
  async () => {
    const { kerasLayerAliases, kerasLayerClass } =
      await import('../../../src/model/readers/python/keras-aliases');
    const { isSupportedKerasLayer } = await import('../../../src/model/readers/python/keras-layer-config');
    const script = `
import json, os
os.environ['TF_CPP_MIN_LOG_LEVEL'] = '3'
import keras
groups = {}
for name in dir(keras.layers):
    if name[0].isupper():
        groups.setdefault(id(getattr(keras.layers, name)), []).append(name)
print(json.dumps([g for g in groups.values() if len(g) > 1]))
`;
    const r = spawnSync(testPython(), ['-c', script], { encoding: 'utf8', timeout: 240_000 });
    assert.equal(r.status, 0, r.stderr.slice(-2000));
    const groups = JSON.parse(r.stdout.trim().split('\n').pop()!) as string[][];
    assert.ok(groups.length >= 20, JSON.stringify(groups));
    for (const names of groups) {
      // All spellings of one Keras class read as one class name …
      const classes = new Set(names.map(kerasLayerClass));
      assert.equal(classes.size, 1, `${names.join(' = ')} → ${[...classes].join(', ')}`);
      // … which the reader builds, or refuses by that name (never as an unknown spelling).
      const cls = [...classes][0]!;
      assert.ok(names.includes(cls), `${cls} is one of ${names.join(', ')}`);
      if (!isSupportedKerasLayer(cls))
        assert.ok(
          ['GlobalAveragePooling3D', 'GlobalMaxPooling3D', 'Conv1DTranspose', 'SeparableConv1D'].includes(
            cls,
          ),
          cls,
        );
    }
    assert.ok(Object.keys(kerasLayerAliases).length >= 20);
  },
);
