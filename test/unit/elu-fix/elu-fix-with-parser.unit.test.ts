// The quick fix on the real parser's ranges: parse → fix → re-parse must show ELU and He init,
// and the rest of the file must be byte-for-byte unchanged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseModelSource } from '../../../src/model/readers/source';
import { applyTextEdits, computeEluFix } from '../../../src/source-edit/elu-fix';

const KERAS = `from tensorflow.keras.models import Sequential
from tensorflow.keras.layers import Conv2D, Dense, Flatten, MaxPooling2D, ReLU

model = Sequential()
model.add(Conv2D(32, kernel_size=(3, 3), activation='relu', input_shape=(28, 28, 1)))
model.add(MaxPooling2D(pool_size=(2, 2)))
model.add(Flatten())
model.add(Dense(256, activation="relu", kernel_initializer='glorot_uniform'))
model.add(Dense(64))
model.add(ReLU())
model.add(Dense(10, activation='softmax'))
`;

function fixLayer(text: string, file: string, name: string): string {
  const spec = parseModelSource(file, text);
  assert.ok(spec, 'the sample parses');
  const layer = spec.layers.find((l) => l.name === name);
  assert.ok(layer, `layer ${name} found`);
  return applyTextEdits(text, computeEluFix(text, layer, spec.origin, 1.0).edits);
}

test('Keras: every ReLU layer fixed in turn re-parses as ELU with He init', () => {
  let text = KERAS;
  for (const name of ['conv2d', 'dense', 're_lu']) text = fixLayer(text, '/w/model.py', name);
  const spec = parseModelSource('/w/model.py', text);
  assert.ok(spec);
  const byName = new Map(spec.layers.map((l) => [l.name, l]));
  assert.equal(byName.get('conv2d')?.activation, 'elu');
  assert.equal(byName.get('conv2d')?.kernelInitializer, 'he_normal');
  assert.equal(byName.get('dense')?.activation, 'elu');
  assert.equal(byName.get('dense')?.kernelInitializer, 'he_normal');
  assert.equal(byName.get('dense_2')?.activation, 'softmax');
  assert.ok(
    text.includes('from tensorflow.keras.layers import Conv2D, Dense, Flatten, MaxPooling2D, ReLU, ELU\n'),
  );
  assert.ok(text.includes('model.add(ELU(alpha=1.0))\n'));
  assert.ok(text.includes(`model.add(Dense(256, activation="elu", kernel_initializer='he_normal'))`));
  assert.equal(text.split('\n').length, KERAS.split('\n').length);
});

const TFJS = `import * as tf from '@tensorflow/tfjs';

export const model = tf.sequential();
model.add(tf.layers.dense({ units: 128, activation: 'relu', inputShape: [784] }));
model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
`;

test('TF.js: activation and kernelInitializer re-parse as ELU / heNormal', () => {
  const spec = parseModelSource('/w/model.ts', TFJS);
  assert.ok(spec, 'the TF.js sample parses');
  const relu = spec.layers.find((l) => l.activation === 'relu');
  assert.ok(relu);
  const out = applyTextEdits(TFJS, computeEluFix(TFJS, relu, spec.origin).edits);
  assert.ok(
    out.includes(
      `tf.layers.dense({ units: 128, activation: 'elu', kernelInitializer: 'heNormal', inputShape: [784] })`,
    ),
    out,
  );
  const again = parseModelSource('/w/model.ts', out);
  assert.equal(again?.layers.find((l) => l.name === relu.name)?.activation, 'elu');
});

test('TF.js: a thresholdedReLU layer is found, fixed and re-parses as ELU', () => {
  const text = `import * as tf from '@tensorflow/tfjs';

export const model = tf.sequential();
model.add(tf.layers.dense({ units: 16, inputShape: [8] }));
model.add(tf.layers.thresholdedReLU({ theta: 0.5 }));
model.add(tf.layers.dense({ units: 2, activation: 'softmax' }));
`;
  const spec = parseModelSource('/w/model.ts', text);
  assert.ok(spec, 'the TF.js sample parses');
  const thresholded = spec.layers.find((l) => l.activation === 'thresholded_relu');
  assert.ok(thresholded, 'the reader names the activation thresholded_relu');
  const out = applyTextEdits(text, computeEluFix(text, thresholded, spec.origin).edits);
  assert.ok(out.includes('model.add(tf.layers.elu({alpha: 1}));'), out);
  // The layer's automatic name follows its class, so find it by position.
  const again = parseModelSource('/w/model.ts', out);
  assert.equal(again?.layers[spec.layers.indexOf(thresholded)]?.activation, 'elu');
});
