// Tiny models and synthetic data for the what-if tests: fast on the cpu backend.
import * as tf from '@tensorflow/tfjs';
import type { Prepared } from '../../../src/analysis/prepare';
import { layerSpecsFromTopology } from '../../../src/model/activation-of';
import type { KerasLayerJson, ModelSpec } from '../../../src/model/spec';
import { defaultRunConfig } from '../../../src/run-config';
import type { RunConfig } from '../../../src/protocol';
import { buildModel } from '../../../src/model/build/build';
import { trainingPlan } from '../../../src/training/plan';
import { seededRandom } from '../../../src/training/rng';
import { classSplits } from '../../support/class-data';

export function specOf(layers: KerasLayerJson[], name = 'tiny'): ModelSpec {
  const topology = { class_name: 'Sequential', config: { name, layers } };
  return {
    name,
    origin: 'example',
    file: null,
    topology,
    layers: layerSpecsFromTopology(topology),
    training: { optimizer: 'adam' },
    issues: [],
  };
}

/** Dense(relu) → Dropout → Dense → ReLU layer → LeakyReLU-fed Dense → softmax: every kind of rectifier. */
export function mixedSpec(): ModelSpec {
  return specOf([
    {
      class_name: 'Dense',
      config: { name: 'hidden', units: 12, activation: 'relu', batch_input_shape: [null, 6] },
    },
    { class_name: 'Dropout', config: { name: 'drop', rate: 0.2 } },
    { class_name: 'Dense', config: { name: 'pre', units: 8, kernel_initializer: 'glorot_normal' } },
    { class_name: 'ReLU', config: { name: 'relu_layer' } },
    { class_name: 'Dense', config: { name: 'leaky_in', units: 8, kernel_initializer: 'he_uniform' } },
    { class_name: 'LeakyReLU', config: { name: 'leaky', alpha: 0.1 } },
    { class_name: 'Dense', config: { name: 'act_in', units: 6 } },
    { class_name: 'Activation', config: { name: 'act', activation: 'relu' } },
    { class_name: 'Dense', config: { name: 'out', units: 3, activation: 'softmax' } },
  ]);
}

export function tinySpec(): ModelSpec {
  return specOf([
    {
      class_name: 'Dense',
      config: { name: 'hidden', units: 12, activation: 'relu', batch_input_shape: [null, 6] },
    },
    { class_name: 'Dropout', config: { name: 'drop', rate: 0.2 } },
    { class_name: 'Dense', config: { name: 'hidden2', units: 8, activation: 'relu' } },
    { class_name: 'Dense', config: { name: 'out', units: 3, activation: 'softmax' } },
  ]);
}

/** A Prepared on the cpu backend with learnable synthetic 3-class data. */
export async function preparedFor(spec: ModelSpec, totalSteps: number, batchSize = 16): Promise<Prepared> {
  await tf.setBackend('cpu');
  const r = seededRandom(7);
  const n = 400;
  const x = Float32Array.from({ length: n * 6 }, () => r() * 2 - 1);
  const y = Int32Array.from({ length: n }, (_, i) =>
    x[i * 6]! + x[i * 6 + 1]! > 0.3 ? 0 : x[i * 6 + 2]! > 0 ? 1 : 2,
  );
  const splits = classSplits('synthetic', x, y, [6], { train: 300, probe: 50, validation: 50 });
  const model = await buildModel(tf, spec, 1);
  const plan = trainingPlan(model, spec, splits);
  model.dispose();
  return {
    tf,
    backend: { name: 'cpu', detail: 'cpu', software: true, attempts: [] },
    spec,
    splits,
    batchSize,
    totalSteps,
    plan,
  };
}

export function whatIfConfig(overrides: Partial<RunConfig> = {}): RunConfig {
  return { ...defaultRunConfig(), backend: 'cpu', seed: 3, every: 5, whatIf: 'elu', ...overrides };
}
