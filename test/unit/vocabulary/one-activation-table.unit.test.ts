// One table decides by activation (src/model/activation-families.ts). This test keeps a second list
// from coming back: outside the table and a short list of files with a reason of their own, no
// production code names a rectifier-family activation in a string or compares an activation with one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ACTIVATION_FAMILIES } from '../../../src/model/activation-families';

const ROOT = [join(__dirname, '..', '..', '..'), process.cwd()].find((p) =>
  existsSync(join(p, 'src', 'model', 'activation-families.ts')),
)!;

/** Files (or folders, ending in /) that may spell activation names, and why. */
const ALLOWED: Record<string, string> = {
  'src/model/activation-families.ts': 'the table itself',
  'src/model/activation-of.ts': 'Keras layer classes (ReLU with max_value 6, LeakyReLU …) → table names',
  'src/model/readers/': "each framework's spellings → table names, and which names TF.js can build",
  'src/model/keras-activations.ts':
    'the Keras names TF.js computes exactly as Keras does (the readers share it)',
  'src/source-edit/elu-fix.ts':
    'the callee spellings in source text that the ELU edit rewrites (F.relu6, leakyReLU)',
  'src/probe/never-fires.ts': "interval arithmetic needs each activation's formula",
  'src/training/loss-plan.ts':
    'the loss follows the output activation (softmax, log_softmax, sigmoid, logits) where the file names none',
  'src/whatif/seed-grid.ts': "the seed grid's arms are named relu / elu (arms, not a layer's activation)",
};

/** Names that appear in code only when it keeps its own list of rectifier / ELU-family activations. */
const LIST_ONLY = ['relu6', 'thresholded_relu', 'leaky_relu', 'prelu', 'selu'];
const TABLE_NAMES = Object.keys(ACTIVATION_FAMILIES);

const quoted = new RegExp(`(['"\`])(${LIST_ONLY.join('|')})\\1`);
const comparison = new RegExp(
  `\\bactivation\\??(?:\\.toLowerCase\\(\\))?\\s*[!=]==?\\s*(['"\`])(${TABLE_NAMES.join('|')})\\1`,
);

/** Lines of `text` (comments left out) that decide by activation name on their own. */
function secondListLines(text: string): string[] {
  return text.split('\n').filter((line) => {
    const code = line.trim();
    if (code.startsWith('//') || code.startsWith('*') || code.startsWith('/*')) return false;
    return quoted.test(code) || comparison.test(code);
  });
}

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sources(path));
    else if (/\.(ts|mts|cts)$/.test(name)) out.push(path);
  }
  return out;
}

test('the scanner finds a hand-written list and an activation comparison, and skips comments', () => {
  assert.equal(secondListLines("const CAN_DIE = new Set(['relu', 'relu6']);").length, 1);
  assert.equal(secondListLines("if (l.activation === 'relu' || x) return 1;").length, 1);
  assert.equal(secondListLines("if (layer.activation?.toLowerCase() !== 'elu') {}").length, 1);
  assert.equal(secondListLines("// 'relu6' in a comment\n * activation === 'relu'").length, 0);
  assert.equal(secondListLines("config.whatIf === 'elu'").length, 0);
});

test('no production file outside the table keeps its own list of activations', () => {
  const found: string[] = [];
  for (const top of ['src', 'extension', 'webview']) {
    for (const file of sources(join(ROOT, top))) {
      const rel = relative(ROOT, file).replace(/\\/g, '/');
      if (Object.keys(ALLOWED).some((a) => (a.endsWith('/') ? rel.startsWith(a) : rel === a))) continue;
      for (const line of secondListLines(readFileSync(file, 'utf8'))) found.push(`${rel}: ${line.trim()}`);
    }
  }
  assert.deepEqual(
    found,
    [],
    'ask src/model/activation-families.ts (canDie, saturates, isRectifierFamily, isSwitchableToElu …) instead',
  );
});

test('every file the list above allows still exists (an allowance outlives no file)', () => {
  for (const path of Object.keys(ALLOWED)) assert.ok(existsSync(join(ROOT, path)), `${path} is gone`);
});
