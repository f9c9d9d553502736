/** Keras config translation, Keras 3 weight paths and TF.js layer order, without any fixture files. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UserError } from '../../../src/errors';
import { translateModelConfig } from '../../../src/model/readers/saved/keras-config';
import { weightPaths } from '../../../src/model/readers/saved/keras-v3';
import { kerasSnakeCase } from '../../../src/model/readers/saved/layer-weights';
import { functionalLayerOrder } from '../../../src/model/readers/saved/weight-order';
import { cpuTf } from './keras-fixtures';

const source = { file: '/work/model.keras', kerasVersion: '3.15.1' };
const tensor = (layer: string) => ({
  class_name: '__keras_tensor__',
  config: { shape: [null, 4], dtype: 'float32', keras_history: [layer, 0, 0] },
});
const node = (...from: string[]) => ({
  args: from.length === 1 ? [tensor(from[0]!)] : [from.map(tensor)],
  kwargs: {},
});
const dense = (name: string, units: number, ...from: string[]) => ({
  module: 'keras.layers',
  class_name: 'Dense',
  config: {
    name,
    units,
    activation: 'relu',
    dtype: { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' } },
  },
  name,
  inbound_nodes: [node(...from)],
});
const input = {
  module: 'keras.layers',
  class_name: 'InputLayer',
  config: { batch_shape: [null, 4], name: 'in' },
  name: 'in',
  inbound_nodes: [],
};

function functional(layers: unknown[], output: string) {
  return {
    module: 'keras.src.models.functional',
    class_name: 'Functional',
    registered_name: 'Functional',
    config: { name: 'f', layers, input_layers: ['in', 0, 0], output_layers: [output, 0, 0] },
  };
}

function refusal(config: unknown, message: RegExp): void {
  assert.throws(
    () => translateModelConfig(config, source),
    (e: unknown) => e instanceof UserError && message.test(e.message) && e.file === source.file && !!e.hint,
  );
}

describe('Keras names', () => {
  test('class names to Keras snake_case, as saving_lib names weight folders', () => {
    assert.deepEqual(
      ['Conv2D', 'BatchNormalization', 'LeakyReLU', 'MaxPooling2D', 'Conv2DTranspose', 'PReLU', 'Dense'].map(
        kerasSnakeCase,
      ),
      [
        'conv2d',
        'batch_normalization',
        'leaky_re_lu',
        'max_pooling2d',
        'conv2d_transpose',
        'p_re_lu',
        'dense',
      ],
    );
  });

  test('repeats of a class are numbered per class, not per layer name', () => {
    const layers = ['InputLayer', 'Dense', 'Dropout', 'Dense', 'Dropout', 'Dense'].map((class_name) => ({
      class_name,
      config: {},
    }));
    assert.deepEqual(weightPaths(layers), [
      'input_layer',
      'dense',
      'dropout',
      'dense_1',
      'dropout_1',
      'dense_2',
    ]);
  });
});

describe('functional layer order', () => {
  test('matches TF.js model.layers for a graph whose depths differ from the config order', async () => {
    // out = add(d3(d2(in)), d1(in)): d1 is listed first but sits nearer the output than d2.
    const raw = functional(
      [
        input,
        dense('d1', 4, 'in'),
        dense('d2', 4, 'in'),
        dense('d3', 4, 'd2'),
        { ...dense('add', 4, 'd3', 'd1'), class_name: 'Add', config: { name: 'add' } },
      ],
      'add',
    );
    const translated = translateModelConfig(raw, source);
    const order = functionalLayerOrder(translated.layers, translated.outputs!);
    const tf = await cpuTf();
    const model = await tf.models.modelFromJSON({
      modelTopology: JSON.parse(JSON.stringify(translated.topology)),
    } as never);
    assert.deepEqual(
      order,
      model.layers.map((l) => l.name),
    );
    assert.notDeepEqual(
      order,
      translated.layers.map((l) => l.config.name),
      'the case must really reorder',
    );
    model.dispose();
  });
});

describe('Keras 3 → TF.js translation', () => {
  test('a Sequential without an Input takes its input shape from build_config', () => {
    const raw = {
      module: 'keras',
      class_name: 'Sequential',
      config: { name: 's', layers: [{ class_name: 'Dense', config: { name: 'd', units: 2 } }] },
      build_config: { input_shape: [null, 3] },
    };
    const t = translateModelConfig(raw, source);
    assert.deepEqual(t.layers[0]!.config.batch_input_shape, [null, 3]);
  });

  test('hard_sigmoid changed meaning in Keras 3, so only older files keep it', () => {
    const raw = (kerasVersion: string) =>
      [
        {
          module: 'keras',
          class_name: 'Sequential',
          config: {
            name: 's',
            layers: [
              {
                class_name: 'Dense',
                config: { name: 'd', units: 2, activation: 'hard_sigmoid', batch_input_shape: [null, 2] },
              },
            ],
          },
        },
        { file: 'm.h5', kerasVersion },
      ] as const;
    assert.equal(translateModelConfig(...raw('2.15.0')).layers[0]!.config.activation, 'hard_sigmoid');
    assert.throws(() => translateModelConfig(...raw('3.4.0')), /hard_sigmoid/);
  });

  test('options TF.js would silently ignore are refused', () => {
    const seq = (layer: unknown) => ({
      class_name: 'Sequential',
      config: {
        name: 's',
        layers: [{ class_name: 'InputLayer', config: { batch_shape: [null, 4], name: 'in' } }, layer],
      },
    });
    refusal(
      seq({ class_name: 'ReLU', config: { name: 'r', threshold: 0.5 } }),
      /'r' \(ReLU\) uses negative_slope or threshold/,
    );
    refusal(
      seq({ class_name: 'Dense', config: { name: 'd', units: 2, activation: 'leaky_relu' } }),
      /activation 'leaky_relu'/,
    );
    refusal(seq({ class_name: 'MyLayer', config: { name: 'm' } }), /'m' \(MyLayer\) is not a layer/);
    refusal(seq({ class_name: 'Sequential', config: { name: 'inner', layers: [] } }), /nested model/);
    refusal(seq({ class_name: 'GlobalAveragePooling2D', config: { name: 'g', keepdims: true } }), /keepdims/);
    refusal(
      seq({
        class_name: 'Dense',
        config: {
          name: 'd',
          units: 2,
          kernel_regularizer: { class_name: 'OrthogonalRegularizer', config: {} },
        },
      }),
      /regularizer 'OrthogonalRegularizer'/,
    );
  });

  test('a layer called with a mask tensor keyword is refused, a null mask is not', () => {
    const withKwargs = (kwargs: unknown) =>
      functional([input, { ...dense('d', 4, 'in'), inbound_nodes: [{ args: [tensor('in')], kwargs }] }], 'd');
    assert.doesNotThrow(() => translateModelConfig(withKwargs({ mask: null, training: false }), source));
    refusal(withKwargs({ mask: tensor('in') }), /tensor keyword arguments/);
  });
});
