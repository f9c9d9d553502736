import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalPath } from '../../../src/model/readers/python/import-names';
import { ReadBudget } from '../../../src/model/readers/python/budget';
import { Interpreter } from '../../../src/model/readers/python/interpreter';
import { LayerNamer, snakeCase } from '../../../src/model/readers/python/layer-names';
import { SourceText } from '../../../src/model/readers/python/source-text';
import { describe as describeValue } from '../../../src/model/readers/python/values';

/** Runs a snippet with no framework hooks and returns the folded module variables. */
function fold(code: string, ...names: string[]): string[] {
  const source = new SourceText(code, 'snippet.py');
  const interp = new Interpreter(source, {}, new ReadBudget(source));
  interp.runModule();
  return names.map((n) => describeValue(interp.module.get(n) ?? { kind: 'unknown', why: 'unset' }));
}

test('Keras auto-names: snake_case as Keras/TF.js, per-class counters, inputs from 1', () => {
  assert.deepEqual(
    [
      'Conv2D',
      'MaxPooling2D',
      'ReLU',
      'LeakyReLU',
      'PReLU',
      'ELU',
      'BatchNormalization',
      'GlobalAveragePooling2D',
      'Dense',
      'Conv1D',
    ].map(snakeCase),
    [
      'conv2d',
      'max_pooling2d',
      're_lu',
      'leaky_re_lu',
      'p_re_lu',
      'elu',
      'batch_normalization',
      'global_average_pooling2d',
      'dense',
      'conv1d',
    ],
  );
  const namer = new LayerNamer();
  assert.deepEqual(
    [
      namer.auto('Dense'),
      namer.auto('Conv2D'),
      namer.auto('Dense'),
      namer.explicit('dense_2'),
      namer.auto('Dense'),
      namer.auto('InputLayer', true),
      namer.auto('InputLayer', true),
    ],
    ['dense', 'conv2d', 'dense_1', 'dense_2', 'dense_3', 'input_1', 'input_2'],
  );
});

test('every import spelling reaches one canonical path', () => {
  assert.equal(canonicalPath('tensorflow.keras.layers.Dense'), 'keras.layers.Dense');
  assert.equal(canonicalPath('tensorflow.python.keras.layers.Conv2D'), 'keras.layers.Conv2D');
  assert.equal(canonicalPath('keras.layers.convolutional.Conv2D'), 'keras.layers.Conv2D');
  assert.equal(canonicalPath('keras.layers.advanced_activations.LeakyReLU'), 'keras.layers.LeakyReLU');
  assert.equal(canonicalPath('keras.Sequential'), 'keras.models.Sequential');
  assert.equal(canonicalPath('tensorflow.keras.Input'), 'keras.layers.Input');
  assert.equal(canonicalPath('torch.nn.modules.conv.Conv2d'), 'torch.nn.Conv2d');
  assert.deepEqual(
    fold(
      'import tensorflow as tf\nfrom tensorflow import keras\nfrom tensorflow.keras import layers as L\nimport torch.nn.functional as F\na = tf.keras.layers.Dense\nb = keras.layers.Dense\nc = L.Dense\nd = F.relu\n',
      'a',
      'b',
      'c',
      'd',
    ),
    ['keras.layers.Dense', 'keras.layers.Dense', 'keras.layers.Dense', 'torch.nn.functional.relu'],
  );
});

test('module constants, tuple unpacking, arithmetic and the channels-last branch fold', () => {
  const code = [
    'from keras import backend as K',
    'img_width, img_height = 28, 28',
    'no_classes = 10',
    'scale = 2 ** 3 - 1',
    'half = img_width // 2',
    'ratio = 1 / 4',
    "if K.image_data_format() == 'channels_first':",
    '    input_shape = (1, img_width, img_height)',
    'else:',
    '    input_shape = (img_width, img_height, 1)',
    'dims = input_shape[0] * input_shape[1]',
    'neg = -input_shape[-1]',
    'pair = [no_classes] * 2',
  ].join('\n');
  assert.deepEqual(
    fold(code, 'img_height', 'no_classes', 'scale', 'half', 'ratio', 'input_shape', 'dims', 'neg', 'pair'),
    ['28', '10', '7', '14', '0.25', '(28, 28, 1)', '784', '-1', '(10, 10)'],
  );
});

test('argparse defaults, dicts with **, conditional expressions and function defaults fold', () => {
  const code = [
    'import argparse',
    'parser = argparse.ArgumentParser()',
    "parser.add_argument('--batch-size', type=int, default=64)",
    "parser.add_argument('--lr', type=float, default=1e-3)",
    "parser.add_argument('--epochs', dest='n_epochs', default=3)",
    'args = parser.parse_args()',
    "kw = {'batch_size': args.batch_size}",
    "kw.update({'shuffle': True})",
    'def steps(n, per=10):',
    '    return n * per',
    'total = steps(args.n_epochs)',
    "mode = 'gpu' if False else 'cpu'",
    'bs = kw.get("batch_size", 1)',
    'count = len(range(1, args.n_epochs + 1))',
  ].join('\n');
  assert.deepEqual(fold(code, 'total', 'mode', 'bs', 'count'), ['30', "'cpu'", '64', '3']);
});

test('what cannot be folded stays unknown with a reason, never a guess', () => {
  const [a, b] = fold('import sys\na = int(sys.argv[1])\nb = undefined_name + 1\n', 'a', 'b');
  assert.match(a!, /unknown/);
  assert.match(b!, /'undefined_name' is not defined/);
});

test('positions are 1-based and count UTF-16 units; end columns are exclusive', () => {
  const source = new SourceText("x = 'é'\ny = Dense(3)\n", 'p.py');
  assert.deepEqual(source.position(0), { line: 1, column: 1 });
  assert.deepEqual(source.position(8), { line: 2, column: 1 });
  const call = source.tree.topNode.lastChild!.lastChild!;
  assert.equal(call.name, 'CallExpression');
  assert.deepEqual(source.range(call), { start: { line: 2, column: 5 }, end: { line: 2, column: 13 } });
});

test('an if whose condition cannot be known: the first branch is read, and said so', () => {
  const source = new SourceText(
    'import sys\nif sys.argv[1] == "big":\n    width = 64\nelse:\n    width = 16\n',
    's.py',
  );
  const interp = new Interpreter(source, {}, new ReadBudget(source));
  interp.runModule();
  assert.equal(describeValue(interp.module.get('width')!), '64');
  assert.deepEqual(
    interp.source.issues.map((i) => [i.line, i.severity]),
    [[2, 'info']],
  );
});

test('floats written with a trailing dot (100., 0., 1.e-5, 2.E+1) are numbers, not syntax errors', () => {
  const code = [
    'a = 100.',
    'b = 0. + 1',
    'c = 1.e-5',
    'd = 2.E+1 - 10.',
    'e = [0., 1.]',
    'f = dict(lr=1., m=.5)["lr"]',
    'g = 1.e5',
    'h = 100. * 3',
  ].join('\n');
  assert.deepEqual(fold(code, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'), [
    '100',
    '1',
    '0.00001',
    '10',
    '(0, 1)',
    '1',
    '100000',
    '300',
  ]);
  const source = new SourceText(`${code}\n`, 'f.py');
  source.reportSyntaxErrors();
  assert.deepEqual(source.issues, []);
});

test('loops, comprehensions, slices, list and dict methods, class attributes and keyword-only parameters fold', () => {
  const code = [
    'sizes = [64, 32, 16]',
    'pairs = [(a, b) for a, b in zip(sizes, sizes[1:]) if a > 16]',
    'evens = {k: k * 2 for k in range(3)}',
    'acc = []',
    'for i, s in enumerate(sizes):',
    '    if s == 32:',
    '        continue',
    '    if i > 1:',
    '        break',
    '    acc.append(s)',
    'else:',
    '    acc.append(-1)',
    'n = 0',
    'while n < 5:',
    '    n += 2',
    'layers = []',
    'layers += [1, 2]',
    'layers.extend([3])',
    'class Block:',
    '    expansion = 4',
    'width = 16 * Block.expansion',
    'def f(a, *, b=2, **kw):',
    '    return a + b + kw.get("c", 0)',
    'k = f(1, c=10)',
    'rev = sizes[::-1]',
    'flag = None is not None',
    'member = 32 in sizes',
    'total = sum(x for x in sizes)',
  ].join('\n');
  assert.deepEqual(
    fold(code, 'pairs', 'acc', 'n', 'layers', 'width', 'k', 'rev', 'flag', 'member', 'total'),
    ['((64, 32), (32, 16))', '(64)', '6', '(1, 2, 3)', '64', '13', '(16, 32, 64)', 'false', 'true', '112'],
  );
  assert.equal(fold(code, 'evens')[0], 'dict');
});
