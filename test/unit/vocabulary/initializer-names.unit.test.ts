// The initializer table: every spelling the readers meet (Keras name, TF.js identifier, Keras 2 and
// Keras 3 class names) reaches the same TF.js class and the same Keras name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  TFJS_INITIALIZER_CLASSES,
  initializerClassFromName,
  initializerName,
  isGlorotOrDefault,
  isSeededInitializer,
  kerasInitializerName,
  tfjsInitializerClass,
} from '../../../src/model/initializer-names';
import { seededInitializer } from '../../../src/model/build/initializers';

test('Keras name, TF.js identifier and class name agree for every initializer', () => {
  assert.equal(TFJS_INITIALIZER_CLASSES.size, 15);
  for (const [identifier, tfjsClass] of TFJS_INITIALIZER_CLASSES) {
    const keras = kerasInitializerName(tfjsClass);
    assert.equal(kerasInitializerName(identifier), keras, identifier);
    assert.equal(tfjsInitializerClass(tfjsClass), tfjsClass);
    if (initializerClassFromName(keras) !== null) {
      assert.equal(initializerClassFromName(keras), tfjsClass);
      assert.equal(initializerClassFromName(identifier), tfjsClass);
    }
  }
  assert.equal(kerasInitializerName('LeCunNormal'), 'lecun_normal');
  assert.equal(kerasInitializerName('heNormal'), 'he_normal');
  assert.equal(kerasInitializerName('VarianceScaling'), 'variance_scaling');
});

test("Keras 3's class spellings in saved configs map to TF.js classes; unknown ones to none", () => {
  assert.equal(tfjsInitializerClass('LecunNormal'), 'LeCunNormal');
  assert.equal(tfjsInitializerClass('LecunUniform'), 'LeCunUniform');
  assert.equal(tfjsInitializerClass('OrthogonalInitializer'), 'Orthogonal');
  assert.equal(tfjsInitializerClass('IdentityInitializer'), 'Identity');
  assert.equal(tfjsInitializerClass('ConstantInitializer'), 'Constant');
  assert.equal(tfjsInitializerClass('STFTInitializer'), null);
});

test('a bare name is understood where TF.js can build it from the name alone', () => {
  assert.equal(initializerClassFromName('he_normal'), 'HeNormal');
  assert.equal(initializerClassFromName('glorotUniform'), 'GlorotUniform');
  assert.equal(initializerClassFromName('variance_scaling'), 'VarianceScaling');
  // Constant needs a value; Identity fits square 2-D kernels only.
  assert.equal(initializerClassFromName('constant'), null);
  assert.equal(initializerClassFromName('identity'), null);
  assert.equal(initializerClassFromName('my_init'), null);
});

test('random initializers get the seed; fixed ones and unknown names are left as they are', () => {
  assert.deepEqual(seededInitializer('he_normal', 7), { class_name: 'HeNormal', config: { seed: 7 } });
  assert.deepEqual(seededInitializer({ class_name: 'Orthogonal', config: { gain: 2 } }, 7), {
    class_name: 'Orthogonal',
    config: { gain: 2, seed: 7 },
  });
  assert.deepEqual(seededInitializer('zeros', 7), { class_name: 'Zeros', config: {} });
  assert.equal(seededInitializer('constant', 7), 'constant');
  assert.ok(
    isSeededInitializer('HeUniform') && !isSeededInitializer('Ones') && !isSeededInitializer('LecunNormal'),
  );
});

test('initializer values of either form name their Keras initializer; Glorot or none is the default', () => {
  assert.equal(initializerName('he_uniform'), 'he_uniform');
  assert.equal(initializerName({ class_name: 'LeCunUniform', config: {} }), 'lecun_uniform');
  assert.equal(initializerName(42), null);
  for (const g of [null, undefined, 'glorot_uniform', 'glorot_normal', 'variance_scaling'])
    assert.ok(isGlorotOrDefault(g), String(g));
  assert.ok(!isGlorotOrDefault('he_normal'));
});
