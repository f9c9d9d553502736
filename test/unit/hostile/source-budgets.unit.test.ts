/**
 * The TF.js/JS source reader's budgets through the real CLI: nesting that would overflow the
 * parser's or the walkers' stack, a model with more layers than can be built, a file too large to
 * be a model definition. Each ends in one line naming the file (and the line, where the budget
 * knows it). In-process: template literals and ordinary nesting stay well inside the budgets.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTfjsSource } from '../../../src/model/readers/tfjs-source/index';
import { goodDataNpz, refused, RUN, write } from './hostile-case';

const data = write('data.npz', goodDataNpz());
const MODEL = `import * as tf from '@tensorflow/tfjs';
const model = tf.sequential({
  layers: [
    tf.layers.dense({ inputShape: [8], units: 6, activation: 'relu' }),
    tf.layers.dense({ units: 3, activation: 'softmax' }),
  ],
});
`;
const analyze = (file: string) => ['analyze', file, '--data', data, ...RUN];

test('3,000 nested parentheses: refused on their line before the parser sees them', async () => {
  const file = write('parens.ts', `${MODEL}const deep = ${'('.repeat(3000)}1${')'.repeat(3000)};\n`);
  await refused(analyze(file), {
    names: file,
    says: /parens\.ts:8: brackets nest more than 200 levels deep here/,
  });
});

test('a 5,000-term sum: refused on its line (deep tree, no brackets)', async () => {
  const file = write('sum.js', `${MODEL}const sum = ${Array(5000).fill('1').join(' + ')};\n`);
  await refused(analyze(file), {
    names: file,
    says: /sum\.js:8: expressions nest more than 500 levels deep here/,
  });
});

test("5,000 chained arrows: the parser's own recursion is caught", async () => {
  const file = write('arrows.ts', `${MODEL}const f = ${'a => '.repeat(5000)}1;\n`);
  await refused(analyze(file), { names: file, says: /the file nests too deeply to read/ });
});

test('2,500 layers: more than a model can have', async () => {
  const adds = 'model.add(tf.layers.dense({ units: 4 }));\n'.repeat(2500);
  const file = write('many-layers.ts', `${MODEL}${adds}`);
  await refused(analyze(file), {
    names: file,
    says: /many-layers\.ts:2: the model has 2502 layers, above the limit of 2000/,
  });
});

test('a file above the size read for a model source', async () => {
  const file = write('huge.js', `${MODEL}// ${'x'.repeat(1_100_000)}\n`);
  await refused(analyze(file), {
    names: file,
    says: /the file has 1,100,\d+ characters, above the 1,000,000 read/,
  });
});

test('template literals and ordinary nesting stay within the budgets (the bracket count does not drift)', () => {
  const text = `${MODEL}const label = \`a \${ { x: \`b \${ [1, 2].map((v) => \`\${v}\`) }\` } } c\`;
${'const o = { a: [ ( { b: 1 } ) ] };\n'.repeat(200)}${'const t = `x ${1} y ${{ a: 2 }.a} z`;\n'.repeat(300)}`;
  const spec = parseTfjsSource(text, '/virtual/templates.ts');
  assert.deepEqual(
    spec.layers.map((l) => l.name),
    ['dense', 'dense_1'],
  );
  assert.deepEqual(spec.issues, []);
});
