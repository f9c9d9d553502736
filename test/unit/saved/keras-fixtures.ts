/**
 * Shared by the saved-Keras tests: writing fixtures with Python (the repo's generator script) and
 * checking a loaded ModelSpec against the expected outputs the generator computed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadTf, type Tf } from '../../../src/backend/tf';
import type { ModelSpec } from '../../../src/model/spec';

/** dist-test/unit/saved → repository root. */
export const repoRoot = resolve(__dirname, '../../..');
export const generator = join(repoRoot, 'scripts/make-keras-fixtures.py');

/**
 * Runs the generator with `python` into `outDir`; returns null on success, else why not (for a
 * test's skip message), so machines without h5py or Keras skip instead of failing.
 */
export function generateFixtures(python: string, args: string[], probe: string): string | null {
  if (python.includes('/') && !existsSync(python)) return `${python} not found`;
  const check = spawnSync(python, ['-c', probe], { encoding: 'utf8', timeout: 120_000 });
  if (check.error || check.status !== 0) {
    return `${python} cannot run '${probe}' (${check.error?.message ?? check.stderr.trim().split('\n').pop()})`;
  }
  const run = spawnSync(python, [generator, ...args], { encoding: 'utf8', cwd: repoRoot, timeout: 300_000 });
  if (run.error || run.status !== 0) {
    throw new Error(`the fixture generator failed: ${run.error?.message ?? run.stderr}`);
  }
  return null;
}

interface Expected {
  inputShape: number[];
  inputs: number[];
  outputShape: number[];
  outputs: number[];
}

let tfPromise: Promise<Tf> | null = null;

/** TF.js on the plain 'cpu' backend: the reference the other backends are compared with. */
export function cpuTf(): Promise<Tf> {
  tfPromise ??= (async () => {
    const tf = await loadTf();
    await tf.setBackend('cpu');
    await tf.ready();
    return tf;
  })();
  return tfPromise;
}

export interface Comparison {
  maxAbsDiff: number;
  /** TF.js' own weight names after building the topology, in getWeights() order. */
  tfjsWeightNames: string[];
  outputShape: number[];
}

/** Builds the spec with TF.js, sets its weights, predicts the generator's inputs, and compares. */
export async function compareWithExpected(spec: ModelSpec, expectedFile: string): Promise<Comparison> {
  const tf = await cpuTf();
  const expected = JSON.parse(readFileSync(expectedFile, 'utf8')) as Expected;
  const model = await tf.models.modelFromJSON({
    modelTopology: JSON.parse(JSON.stringify(spec.topology)),
  } as never);
  try {
    const tfjsWeightNames = model.weights.map((w) => w.originalName);
    const tensors = (spec.weights ?? []).map((w) => tf.tensor(w.values, w.shape));
    model.setWeights(tensors);
    tensors.forEach((t) => t.dispose());
    const input = tf.tensor(expected.inputs, expected.inputShape);
    const output = model.predict(input) as InstanceType<Tf['Tensor']>;
    const values = await output.data();
    const outputShape = output.shape;
    input.dispose();
    output.dispose();
    let maxAbsDiff = values.length === expected.outputs.length ? 0 : Infinity;
    expected.outputs.forEach((v, i) => {
      const diff = Math.abs(v - (values[i] ?? NaN));
      // NaN must fail the comparison, and Math.max would let it through as NaN.
      maxAbsDiff = Number.isNaN(diff) ? Infinity : Math.max(maxAbsDiff, diff);
    });
    return { maxAbsDiff, tfjsWeightNames, outputShape };
  } finally {
    model.dispose();
  }
}
