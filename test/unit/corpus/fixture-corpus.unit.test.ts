// Every Python and TF.js fixture through the real CLI, as a person would run it: the outcome is a
// model analysed (exit 0), a clear refusal (exit 1: one line naming the file, no internal error)
// or a partial model said so (exit 3) — never exit 2, never a raw TF.js message without our
// file:line. The table gives a fixture the data or option its model needs (as its refusal says),
// and the exit each must end with; docs/python-sources.md lists the same outcomes. Two at a time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { isCleanRefusalText, runCli, type CliResult } from '../../support/capped-cli';
import { classIndices, floats, targets, tokenSequences, writeNpz } from '../../support/generated-data';

const ROOT = join(__dirname, '..', '..', '..');
const FIXTURES = [join(ROOT, 'test', 'fixtures', 'python'), join(ROOT, 'test', 'fixtures', 'tfjs')];
const data = mkdtempSync(join(tmpdir(), 'al-corpus-'));
const N = 96;

/** The data files the fixtures' models want (each refusal on the bundled digits names them). */
const DATA = {
  images32: () =>
    writeNpz(join(data, 'images32.npz'), { x: floats(N, [32, 32, 3], 1), y: classIndices(N, 10) }),
  digits5: () => writeNpz(join(data, 'digits5.npz'), { x: floats(N, [28, 28, 1], 2), y: classIndices(N, 5) }),
  signals6: () => writeNpz(join(data, 'signals6.npz'), { x: floats(N, [240], 3), y: classIndices(N, 6) }),
  latent: () => writeNpz(join(data, 'latent.npz'), { x: floats(N, [100], 4), y: classIndices(N, 2) }),
  shop: () =>
    writeNpz(join(data, 'shop.npz'), {
      x_train: floats(N, [64], 5),
      y_train_kind: classIndices(N, 3),
      y_train_price: targets(N, 1, 6),
    }),
  series: () => writeNpz(join(data, 'series.npz'), { x: floats(N, [30, 1], 7), y: targets(N, 1, 8) }),
  housing: () => writeNpz(join(data, 'housing.npz'), { x: floats(N, [13], 9), y: targets(N, 1, 10) }),
  signals3: () => writeNpz(join(data, 'signals3.npz'), { x: floats(N, [100, 1], 11), y: classIndices(N, 3) }),
  vectors2: () => writeNpz(join(data, 'vectors2.npz'), { x: floats(N, [10], 12), y: classIndices(N, 2) }),
  reviews: () => writeNpz(join(data, 'reviews.npz'), tokenSequences(N, 20, 41, 2, 13)),
  newswire: () => writeNpz(join(data, 'newswire.npz'), tokenSequences(N, 300, 47, 46, 14)),
  topics4: () => writeNpz(join(data, 'topics4.npz'), tokenSequences(N, 20, 81, 4, 15)),
  topics5: () => writeNpz(join(data, 'topics5.npz'), tokenSequences(N, 20, 81, 5, 16)),
};

interface Case {
  /** The exit it must end with: 0 analysed, 1 refused (clearly), 3 partial. */
  exit: 0 | 1 | 3;
  data?: keyof typeof DATA;
  args?: string[];
  /** ResNet-18 and VGG train one step (tens of seconds per step on wasm). */
  steps?: number;
}

/** Fixtures with no entry run as they are and must end 0, 1 or 3. */
export const CORPUS: Record<string, Case> = {
  'keras3_activation_layers.py': { exit: 0 },
  'keras_augmented_residual.py': { exit: 0, data: 'images32' },
  'keras_build_function.py': { exit: 0 },
  'keras_comment_in_list.py': { exit: 0 },
  'keras_conv1d_sequence.py': { exit: 0, data: 'signals6' },
  'keras_elu_machinecurve.py': { exit: 0 },
  'keras_functional_mlp.py': { exit: 0 },
  'keras_functional_residual.py': { exit: 0, data: 'images32' },
  'keras_gan_two_models.py': { exit: 0, data: 'latent' },
  'keras_imdb_bilstm.py': { exit: 0, data: 'reviews' },
  'keras_imported_constant.py': { exit: 0, data: 'digits5', args: ['--input-shape', '28,28,1'] },
  'keras_io_simple_convnet.py': { exit: 0 },
  'keras_layer_aliases.py': { exit: 0 },
  'keras_loop_helper_add.py': { exit: 0, data: 'images32' },
  'keras_loop_unrolled.py': { exit: 0 },
  'keras_multi_output.py': { exit: 0, data: 'shop' },
  'keras_old_submodules.py': { exit: 0 },
  'keras_relu_machinecurve.py': { exit: 0 },
  'keras_reuters_conv1d.py': { exit: 0, data: 'newswire' },
  // Keras 3's GRU is reset_after=True; TF.js builds only reset_after=False: partial, said.
  'keras_sequence_regression.py': { exit: 3, data: 'series' },
  'keras_star_import.py': { exit: 0 },
  'keras_subclassed_model.py': { exit: 1 },
  'keras_tf_cnn_cifar.py': { exit: 0, data: 'images32' },
  'keras_tf_quickstart.py': { exit: 0 },
  'keras_three_classes.py': { exit: 1 },
  'malformed_custom_layers.py': { exit: 3 },
  'malformed_dynamic_loop.py': { exit: 3 },
  'malformed_syntax_error.py': { exit: 0 },
  'malformed_truncated.py': { exit: 1 },
  'mixed_imports_torch.py': { exit: 0 },
  'not_a_model.py': { exit: 1 },
  'torch_augmented_residual.py': { exit: 0 },
  'torch_branching.py': { exit: 0 },
  'torch_cifar_tutorial.py': { exit: 0, data: 'images32' },
  'torch_comment_in_sequential.py': { exit: 0 },
  'torch_flatten_first.py': { exit: 0, args: ['--input-shape', '28,28,1'] },
  'torch_gru_bidirectional.py': { exit: 0, data: 'reviews', args: ['--input-shape', '20'] },
  'torch_image_regression.py': { exit: 1 },
  'torch_leaky_args.py': { exit: 0, data: 'images32' },
  'torch_lenet_nested.py': { exit: 0 },
  'torch_logits_no_loss.py': { exit: 0 },
  'torch_lstm_classifier.py': { exit: 0, data: 'topics4', args: ['--input-shape', '20'] },
  'torch_mnist_example.py': { exit: 0 },
  'torch_modulelist_loop.py': { exit: 0 },
  'torch_quickstart_fashion.py': { exit: 0 },
  'torch_regression.py': { exit: 0, data: 'housing' },
  'torch_resnet18_cifar.py': { exit: 0, data: 'images32', steps: 1 },
  'torch_sequential_cnn.py': { exit: 0 },
  'torch_shape_mismatch.py': { exit: 0 },
  'torch_siamese.py': { exit: 1 },
  'torch_submodule_after.py': { exit: 0 },
  'torch_textcnn.py': { exit: 0, data: 'topics5', args: ['--input-shape', '20'] },
  'torch_trailing_dot_floats.py': { exit: 0 },
  'torch_vgg_cifar.py': { exit: 0, data: 'images32', steps: 1 },
  'browser-global-class.js': { exit: 0 },
  'conv1d-activation-layer.js': { exit: 0, data: 'signals3' },
  'functional.ts': { exit: 1 },
  'machinecurve-cnn.ts': { exit: 0 },
  'mnist-dense-node.js': { exit: 0 },
  'named-imports-activations.ts': { exit: 0 },
  'no-model.ts': { exit: 1 },
  'reshape-average-pooling.ts': { exit: 0 },
  'sequential-layers-array.ts': { exit: 0 },
  'syntax-error.js': { exit: 0, data: 'vectors2' },
  'tfjs-examples-mnist.js': { exit: 0 },
  'unsupported-constructs.ts': { exit: 3 },
};

/** TF.js's own words: allowed only after our `activation-lens: FILE:LINE: ` context. */
const RAW_TFJS =
  /Error when checking|Based on the provided shape|expected \S+ to have shape|not registered for backend|Kernel '\w+'|Cannot read properties/;

function files(): string[] {
  return FIXTURES.flatMap((dir) =>
    readdirSync(dir)
      .filter((f) => /\.(py|js|ts)$/.test(f))
      .map((f) => join(dir, f)),
  );
}

async function run(file: string): Promise<CliResult> {
  const c = CORPUS[basename(file)];
  const args = [
    'analyze',
    file,
    '--steps',
    String(c?.steps ?? 2),
    '--backend',
    'wasm',
    '--batch',
    '16',
    '--probe',
    '32',
    ...(c?.data ? ['--data', DATA[c.data]()] : []),
    ...(c?.args ?? []),
  ];
  return runCli(args, { timeoutMs: 120_000, heapMiB: 2048, rssMiB: 3072 });
}

test('every fixture ends analysed, clearly refused or partial: never exit 2, never a raw TF.js message', async (t) => {
  const all = files();
  assert.ok(all.length >= 60, `${all.length} fixtures`);
  const outcomes = new Map<string, CliResult>();
  // Two at a time: the machine has two cores and the CLI is single-threaded on wasm.
  const queue = [...all];
  await Promise.all(
    [0, 1].map(async () => {
      for (let file = queue.shift(); file; file = queue.shift()) outcomes.set(file, await run(file));
    }),
  );
  const problems: string[] = [];
  for (const file of all) {
    const r = outcomes.get(file)!;
    const name = basename(file);
    const say = (what: string) =>
      problems.push(
        `${name}: ${what} (exit ${r.code}, ${r.outcome})\n  ${r.stderr.trim().split('\n').join('\n  ')}`,
      );
    if (r.code !== 0 && r.code !== 1 && r.code !== 3) say('ended neither analysed, refused nor partial');
    if (/internal error/.test(r.stderr)) say('internal error');
    for (const line of r.stderr.split('\n'))
      if (RAW_TFJS.test(line) && !/^activation-lens: \/\S+:\d+: /.test(line))
        say(`a TF.js message without our file:line: ${line}`);
    if (r.code === 1 && !isCleanRefusalText(r.stderr)) say('a refusal that is not one clean line');
    if (r.code === 1 && !r.stderr.includes(file)) say('a refusal that does not name the file');
    if (r.code === 3 && !/^PARTIAL — /m.test(r.stdout)) say('partial without the banner');
    const expected = CORPUS[name]?.exit;
    if (expected !== undefined && r.code !== expected) say(`expected exit ${expected}`);
  }
  for (const [file, r] of outcomes)
    t.diagnostic(`${basename(file)} → exit ${r.code} (${(r.ms / 1000).toFixed(1)} s)`);
  assert.deepEqual(problems, []);
});
