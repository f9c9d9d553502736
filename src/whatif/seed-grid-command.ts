/**
 * `activation-lens experiment seed-grid [FILE] [--epochs N | --steps N] [--batch N] [--seed S]
 * [--probe N] [--backend B] [--json OUT]`: the seed article's grid on the bundled digits.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { CancelToken } from '../analysis/arm-runner';
import type { Prepared } from '../analysis/prepare';
import { initBackend } from '../backend/select';
import { loadDigits } from '../data/bundled';
import { makeSplits, testSplit, type Splits } from '../data/splits';
import type { TrainingPlan } from '../training/label-check';
import { trainingPlan } from '../training/plan';
import { UserError } from '../errors';
import { buildModel } from '../model/build/build';
import { loadExample, loadModelSpec } from '../model/load';
import type { BackendName, EventBody } from '../protocol';
import { BACKENDS, defaultRunConfig } from '../run-config';
import { CANCELLED_EXIT, cancelOnSignals } from '../cli-signals';
import { TRAINING_OPTIONS, singleModelFile } from '../cli-options';
import { runSeedGrid } from './seed-grid';
import { seedGridTable } from './seed-grid-table';

export const SEED_GRID_USAGE = `usage: activation-lens experiment seed-grid [FILE] [--epochs N | --steps N] [--batch N] [--seed S]
         [--probe N] [--backend auto|tensorflow|webgpu|wasm|cpu] [--json OUT]`;

/** One epoch of the 8,000 bundled training digits × 4 arms: about 2 minutes on wasm at ~300 samples/s. */
export const DEFAULT_EPOCHS = 1;

function positiveInt(name: string, value: string | undefined): number | null {
  if (value === undefined) return null;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UserError(`--${name} must be an integer ≥ 1, got '${value}'`);
  return n;
}

export async function seedGridCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: TRAINING_OPTIONS,
  });
  const file = singleModelFile(positionals);
  if (values.epochs !== undefined && values.steps !== undefined)
    throw new UserError('give --epochs or --steps, not both');
  const backendName = (values.backend ?? 'auto') as BackendName;
  if (!BACKENDS.includes(backendName))
    throw new UserError(
      `unknown backend '${values.backend}'`,
      null,
      null,
      `choose one of ${BACKENDS.join(', ')}`,
    );
  const seed = values.seed === undefined ? defaultRunConfig().seed : Number(values.seed);
  if (!Number.isInteger(seed) || seed < 0)
    throw new UserError(`--seed must be an integer ≥ 0, got '${values.seed}'`);
  const steps = positiveInt('steps', values.steps);
  const epochs = steps === null ? (positiveInt('epochs', values.epochs) ?? DEFAULT_EPOCHS) : null;
  const probe = positiveInt('probe', values.probe) ?? defaultRunConfig().probe;
  const json = values.json ? resolve(values.json) : null;

  // The child's native output from measuring WebGPU: for --debug only.
  const { tf, info } = await initBackend(backendName, (m) => {
    if (values.debug) process.stderr.write(`${m}\n`);
  });
  const spec = file ? await loadModelSpec(resolve(file)) : loadExample('mnist-cnn');
  if (spec.weights)
    process.stderr.write(
      `note: ${spec.file} holds trained weights; the grid trains every arm from fresh initialisation\n`,
    );
  const fresh = { ...spec, weights: undefined };
  const data = loadDigits();
  const probeModel = await buildModel(tf, fresh, seed);
  const inputShape = probeModel.inputs[0]!.shape.slice(1);
  let splits: Splits;
  let plan: TrainingPlan;
  try {
    splits = makeSplits(data, inputShape, probe, 0, null);
    plan = trainingPlan(probeModel, fresh, splits);
  } finally {
    probeModel.dispose();
  }
  const batchSize = positiveInt('batch', values.batch) ?? spec.training.batchSize ?? 250;
  const totalSteps = steps ?? (epochs ?? DEFAULT_EPOCHS) * Math.ceil(splits.train.count / batchSize);
  const prepared: Prepared = { tf, backend: info, spec: fresh, splits, batchSize, totalSteps, plan };
  const test = testSplit(data);

  const cancel: CancelToken = { cancelled: false };
  cancelOnSignals(cancel, 'cancelling after this round of steps…');
  const tty = process.stderr.isTTY;
  const emit = (e: EventBody) => {
    if (e.type === 'progress' && tty && e.arm === 'ReLU / Glorot')
      process.stderr.write(`\rstep ${e.step}/${e.totalSteps} (4 arms interleaved)`);
    else if (e.type === 'log' && (e.level === 'warn' || values.debug)) process.stderr.write(`${e.message}\n`);
  };
  const result = await runSeedGrid(prepared, { seed, alpha: 1, epochs, test }, emit, cancel);
  if (tty) process.stderr.write('\n');
  if (json) writeFileSync(json, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${seedGridTable(result)}\n${json ? `\nresult written to ${json}\n` : ''}`);
  return result.cancelled ? CANCELLED_EXIT : 0;
}
