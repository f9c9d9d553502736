// The activation table's answers, in every spelling the readers and the frameworks use.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ACTIVATION_FAMILIES,
  CAN_DIE,
  activationAlpha,
  activationFamily,
  canDie,
  canonicalActivation,
  isRectifierFamily,
  isSwitchableToElu,
  isWhatIfSwitchable,
  reportsMeanDrift,
  saturates,
} from '../../../src/model/activation-families';

const names = Object.keys(ACTIVATION_FAMILIES);
const where = (p: (n: string) => boolean) => names.filter(p).sort();

test('which activations can die, saturate, get a lens, a suggestion and a what-if', () => {
  assert.deepEqual([...CAN_DIE].sort(), ['relu', 'relu6', 'thresholded_relu']);
  assert.deepEqual(where(canDie), ['relu', 'relu6', 'thresholded_relu']);
  assert.deepEqual(where(saturates), ['celu', 'elu', 'selu']);
  assert.deepEqual(where(isRectifierFamily), [
    'celu',
    'elu',
    'leaky_relu',
    'prelu',
    'relu',
    'relu6',
    'rrelu',
    'thresholded_relu',
  ]);
  assert.deepEqual(where(isSwitchableToElu), [
    'leaky_relu',
    'prelu',
    'relu',
    'relu6',
    'rrelu',
    'thresholded_relu',
  ]);
  // PReLU's slopes are weights: the what-if's arms could not start from the same weights.
  assert.deepEqual(where(isWhatIfSwitchable), ['leaky_relu', 'relu', 'relu6', 'rrelu', 'thresholded_relu']);
  assert.deepEqual(names.filter((n) => !reportsMeanDrift(n)).sort(), [
    'hard_sigmoid',
    'linear',
    'sigmoid',
    'softmax',
  ]);
});

test('nothing both dies and saturates; whatever can die is a rectifier ELU may replace', () => {
  for (const n of names) {
    const f = activationFamily(n)!;
    assert.ok(!(f.canDie && f.saturates), n);
    if (f.canDie) assert.ok(f.rectifierFamily && f.switchableToElu, n);
    if (f.switchableToElu) assert.ok(f.rectifierFamily, n);
  }
});

test('spellings of Keras, TF.js and PyTorch reach the same row; unknown names reach none', () => {
  for (const [spelling, canonical] of [
    ['ReLU', 'relu'],
    ['LeakyReLU', 'leaky_relu'],
    ['leakyRelu', 'leaky_relu'],
    ['ThresholdedReLU', 'thresholded_relu'],
    ['thresholdedReLU', 'thresholded_relu'],
    ['hardSigmoid', 'hard_sigmoid'],
    ['logSoftmax', 'log_softmax'],
    ['SiLU', 'swish'],
    ['ELU', 'elu'],
  ] as const) {
    assert.equal(canonicalActivation(spelling), canonical, spelling);
  }
  assert.equal(canonicalActivation('crelu'), null);
  assert.equal(activationFamily(null), null);
  assert.equal(canDie(undefined), false);
  // An unknown activation's drift is reported rather than missed.
  assert.equal(reportsMeanDrift('my_custom_act'), true);
});

test('bounded ranges: probabilities in [0, 1], tanh and softsign in [−1, 1], relu6 in [0, 6]', () => {
  const ranges = Object.fromEntries(
    names.filter((n) => activationFamily(n)!.range).map((n) => [n, activationFamily(n)!.range]),
  );
  assert.deepEqual(ranges, {
    relu6: [0, 6],
    softsign: [-1, 1],
    tanh: [-1, 1],
    sigmoid: [0, 1],
    hard_sigmoid: [0, 1],
    softmax: [0, 1],
  });
});

test("α: the layer's own, else Keras' default; SELU's fixed λα; none for the rest", () => {
  assert.equal(activationAlpha('elu', {}), 1);
  assert.equal(activationAlpha('elu', { alpha: 0.5 }), 0.5);
  assert.equal(activationAlpha('leaky_relu', {}), 0.3);
  assert.equal(activationAlpha('leaky_relu', { alpha: 0.1 }), 0.1);
  assert.ok(Math.abs(activationAlpha('selu', { alpha: 3 })! - 1.7580993408473766) < 1e-12);
  assert.equal(activationAlpha('relu', { alpha: 2 }), null);
});
