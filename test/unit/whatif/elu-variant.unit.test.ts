// The ELU clone edits exactly the chosen layers, keeps every name, and leaves the original alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { topologyLayers } from '../../../src/model/activation-of';
import { isUserError } from '../../../src/errors';
import { chooseWhatIfLayers, eluVariant, switchableLayers } from '../../../src/whatif/elu-variant';
import { buildModel } from '../../../src/model/build/build';
import { mixedSpec, specOf, tinySpec } from './fixtures';

const byName = (spec: ReturnType<typeof mixedSpec>) =>
  new Map(topologyLayers(spec.topology).map((l) => [String(l.config.name), l]));

test('switchable layers: fused relu, ReLU layer, LeakyReLU and Activation(relu), in order', () => {
  assert.deepEqual(switchableLayers(mixedSpec()), ['hidden', 'relu_layer', 'leaky', 'act']);
});

test('every form of ReLU becomes ELU; unchosen layers are untouched; names stay', () => {
  const spec = mixedSpec();
  const before = JSON.stringify(spec);
  const v = eluVariant(spec, {
    switchLayers: ['hidden', 'relu_layer', 'leaky', 'act'],
    heInitLayers: [],
    alpha: 1,
  });
  assert.equal(JSON.stringify(spec), before, 'the original spec is not modified');
  const layers = byName(v.spec);
  assert.equal(layers.get('hidden')!.config.activation, 'elu');
  assert.equal(layers.get('relu_layer')!.class_name, 'ELU');
  assert.equal(layers.get('relu_layer')!.config.alpha, 1);
  assert.equal(layers.get('leaky')!.class_name, 'ELU');
  assert.equal(layers.get('leaky')!.config.alpha, 1, 'LeakyReLU slope is replaced by ELU α');
  assert.equal(layers.get('act')!.class_name, 'Activation');
  assert.equal(layers.get('act')!.config.activation, 'elu');
  assert.deepEqual([...layers.keys()], [...byName(spec).keys()], 'same names, same order');
  // Everything not chosen is byte-identical.
  const orig = byName(spec);
  for (const name of ['drop', 'pre', 'leaky_in', 'act_in', 'out'])
    assert.deepEqual(layers.get(name), orig.get(name), name);
  assert.deepEqual(
    v.spec.layers.map((l) => l.activation),
    ['elu', null, null, 'elu', null, 'elu', null, 'elu', 'softmax'],
  );
});

test('only the chosen layer changes', () => {
  const spec = mixedSpec();
  const v = eluVariant(spec, { switchLayers: ['relu_layer'], heInitLayers: [], alpha: 1 });
  const a = byName(spec);
  const b = byName(v.spec);
  for (const [name, layer] of a) {
    if (name === 'relu_layer') assert.notDeepEqual(b.get(name), layer);
    else assert.deepEqual(b.get(name), layer, name);
  }
});

test('He init lands on the layer itself, or on the kernel layer feeding a separate ReLU', () => {
  const v = eluVariant(mixedSpec(), {
    switchLayers: ['hidden', 'relu_layer'],
    heInitLayers: ['hidden', 'relu_layer'],
    alpha: 1,
  });
  const layers = byName(v.spec);
  assert.equal(layers.get('hidden')!.config.kernel_initializer, 'he_normal');
  assert.equal(layers.get('pre')!.config.kernel_initializer, 'he_normal');
  assert.equal(layers.get('leaky_in')!.config.kernel_initializer, 'he_uniform', 'not asked: unchanged');
  assert.deepEqual(v.heInit, ['hidden', 'pre']);
});

test('α ≠ 1: separate ELU layers carry it and build; a fused activation (α fixed at 1) is refused', async () => {
  const v = eluVariant(mixedSpec(), { switchLayers: ['relu_layer'], heInitLayers: [], alpha: 0.5 });
  const layer = topologyLayers(v.spec.topology).find((l) => l.config.name === 'relu_layer')!;
  assert.equal(layer.class_name, 'ELU');
  assert.equal(layer.config.alpha, 0.5);
  await tf.setBackend('cpu');
  const model = await buildModel(tf, v.spec, 1);
  assert.equal((model.getLayer('relu_layer').getConfig() as { alpha: number }).alpha, 0.5);
  model.dispose();
  assert.throws(
    () => eluVariant(mixedSpec(), { switchLayers: ['hidden'], heInitLayers: [], alpha: 0.5 }),
    (e: unknown) => isUserError(e) && /α=0.5/.test(e.message) && /--alpha 1/.test(e.format()),
  );
});

test('choosing layers: named > suggested > every ReLU; He init follows the suggestion or the Glorot rule', () => {
  const spec = mixedSpec();
  assert.deepEqual(chooseWhatIfLayers(spec, null).switchLayers, ['hidden', 'relu_layer', 'leaky', 'act']);
  // Glorot/default kernels get He init; leaky_in already uses he_uniform.
  assert.deepEqual(chooseWhatIfLayers(spec, null).heInitLayers, ['hidden', 'relu_layer', 'act']);
  const suggestion = {
    kind: 'switch-to-elu' as const,
    layer: 'leaky',
    alpha: 1,
    heInit: false,
    earlyStopping: true,
    rationale: '',
  };
  assert.deepEqual(chooseWhatIfLayers(spec, null, [suggestion]), {
    switchLayers: ['leaky'],
    heInitLayers: [],
  });
  assert.deepEqual(chooseWhatIfLayers(spec, ['act'], [suggestion]).switchLayers, ['act']);
});

test('bad --layers are user errors naming the choices', () => {
  const spec = tinySpec();
  for (const [layers, pattern] of [
    [['nope'], /not a layer of tiny/],
    [['out'], /activation 'softmax'/],
    [['drop'], /activation 'none'/],
  ] as const) {
    assert.throws(
      () => chooseWhatIfLayers(spec, [...layers]),
      (e: unknown) => isUserError(e) && pattern.test(e.message) && /hidden, hidden2/.test(e.format()),
    );
  }
});

test('a ThresholdedReLU layer is switchable and becomes an ELU layer that builds; PReLU (own weights) is not', async () => {
  const spec = specOf([
    { class_name: 'Dense', config: { name: 'in', units: 8, batch_input_shape: [null, 6] } },
    { class_name: 'ThresholdedReLU', config: { name: 'thresholded', theta: 0.5 } },
    { class_name: 'Dense', config: { name: 'mid', units: 8 } },
    { class_name: 'PReLU', config: { name: 'parametric' } },
    { class_name: 'Dense', config: { name: 'out', units: 3, activation: 'softmax' } },
  ]);
  assert.deepEqual(switchableLayers(spec), ['thresholded']);
  const v = eluVariant(spec, { switchLayers: ['thresholded'], heInitLayers: [], alpha: 0.5 });
  const layer = topologyLayers(v.spec.topology).find((l) => l.config.name === 'thresholded')!;
  assert.equal(layer.class_name, 'ELU');
  assert.deepEqual(layer.config, { name: 'thresholded', alpha: 0.5 });
  assert.equal(v.spec.layers.find((l) => l.name === 'thresholded')?.activation, 'elu');
  await tf.setBackend('cpu');
  const model = await buildModel(tf, v.spec, 1);
  assert.equal(model.getLayer('thresholded').getClassName(), 'ELU');
  model.dispose();
  assert.throws(
    () => chooseWhatIfLayers(spec, ['parametric']),
    (e: unknown) => isUserError(e) && /activation 'prelu'/.test(e.message) && /thresholded/.test(e.format()),
  );
});
