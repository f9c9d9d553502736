/**
 * Everything a run needs before its first step: the person's model and data, then a backend, the
 * splits and the budget. Shared by the analysis, the what-if and the bench.
 */
import { initBackend, type BackendInfo } from '../backend/select';
import type { Tf } from '../backend/tf';
import { loadData } from '../data/load';
import { makeSplits, type Splits } from '../data/splits';
import { buildModel } from '../model/build/build';
import { loadExample, loadModelSpec } from '../model/load';
import type { ModelSpec } from '../model/spec';
import type { Emit, RunConfig } from '../protocol';

export interface Prepared {
  tf: Tf;
  backend: BackendInfo;
  spec: ModelSpec;
  splits: Splits;
  batchSize: number;
  totalSteps: number;
}

const MAX_VALIDATION = 1000;

export async function prepare(config: RunConfig, emit: Emit): Promise<Prepared> {
  // The person's model and data first: a bad file fails fast, before any backend is started.
  const spec = config.file
    ? await loadModelSpec(config.file, { model: config.model ?? null, inputShape: config.inputShape ?? null })
    : loadExample(config.example ?? 'mnist-cnn');
  const data = await loadData(config.data);
  const { tf, info } = await initBackend(config.backend, (message) =>
    emit({ type: 'log', level: 'debug', message }),
  );
  emit({ type: 'log', level: 'info', message: `backend: ${info.name} — ${info.detail}` });
  for (const a of info.attempts.filter((x) => !x.ok))
    emit({ type: 'log', level: 'info', message: `backend ${a.route} not used: ${a.reason}` });
  const inputShape = await inputShapeOf(tf, spec, config.seed);
  const splits = makeSplits(
    data,
    inputShape,
    config.probe,
    MAX_VALIDATION,
    config.data.includes('/') ? config.data : null,
  );
  const batchSize = config.batch ?? spec.training.batchSize ?? 250;
  const stepsPerEpoch = Math.ceil(splits.train.count / batchSize);
  const totalSteps = config.steps ?? (config.epochs ?? spec.training.epochs ?? 1) * stepsPerEpoch;
  return { tf, backend: info, spec, splits, batchSize, totalSteps };
}

async function inputShapeOf(tf: Tf, spec: ModelSpec, seed: number): Promise<(number | null)[]> {
  const model = await buildModel(tf, spec, seed);
  const shape = model.inputs[0]!.shape.slice(1);
  model.dispose();
  return shape;
}
